package dev.fledge.operator.gates.safety;

/**
 * How many safety suite runs the operator runs at once ({@code fledge.safety.max-concurrent-suites}) and how many of
 * them one namespace may hold ({@code fledge.safety.max-concurrent-suites-per-namespace}). Each run has up to
 * {@link SafetyLimits#maxConcurrency()} prompts in flight, so the first bounds the operator's suite threads.
 */
public record SuiteConcurrency(int maxRunning, int perNamespace) {
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
    }

    public static SuiteConcurrency standard() {
        return new SuiteConcurrency(4, 2);
    }
}
