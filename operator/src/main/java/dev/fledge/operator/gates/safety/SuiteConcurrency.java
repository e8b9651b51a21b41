package dev.fledge.operator.gates.safety;

import java.time.Duration;

/**
 * How many safety suite runs the operator runs at once ({@code fledge.safety.max-concurrent-suites}), how many of
 * them one namespace may hold ({@code fledge.safety.max-concurrent-suites-per-namespace}), and how long one run may
 * hold its slot ({@code fledge.safety.max-suite-duration}). Each run has up to {@link SafetyLimits#maxConcurrency()}
 * prompts in flight, so the first bounds the operator's suite threads.
 */
public record SuiteConcurrency(int maxRunning, int perNamespace, Duration maxDuration) {
    /** The highest {@code maxRunning} the operator accepts. */
    public static final int CEILING = 32;

    public SuiteConcurrency {
        if (maxRunning < 1 || maxRunning > CEILING) {
            throw new IllegalArgumentException(
                    "fledge.safety.max-concurrent-suites must be between 1 and " + CEILING + ", got " + maxRunning);
        }
        if (perNamespace < 1) {
            throw new IllegalArgumentException(
                    "fledge.safety.max-concurrent-suites-per-namespace must be at least 1, got " + perNamespace);
        }
        if (maxDuration == null || maxDuration.isNegative() || maxDuration.isZero()) {
            throw new IllegalArgumentException("fledge.safety.max-suite-duration must be positive, got " + maxDuration);
        }
    }

    /** The standard longest run, {@link FairSuiteExecutor#DEFAULT_MAX_DURATION}. */
    public SuiteConcurrency(int maxRunning, int perNamespace) {
        this(maxRunning, perNamespace, FairSuiteExecutor.DEFAULT_MAX_DURATION);
    }

    public static SuiteConcurrency standard() {
        return new SuiteConcurrency(4, 2);
    }
}
