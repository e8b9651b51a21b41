package dev.fledge.operator.notify;

import java.time.Duration;
import java.util.concurrent.ThreadLocalRandom;
import java.util.function.DoubleSupplier;

/**
 * Exponential backoff with jitter: attempt n waits {@code min(max, base * 2^(n-1))}, scaled by a random factor in
 * {@code [1 - jitter, 1 + jitter]} so that many releases failing at once do not retry in lockstep.
 *
 * @param random uniform in [0, 1); injected so that tests are exact
 */
public record Backoff(Duration base, Duration max, double jitter, DoubleSupplier random) {

    public Backoff {
        if (base.isNegative() || base.isZero() || max.compareTo(base) < 0) {
            throw new IllegalArgumentException("backoff needs 0 < base <= max, got " + base + " and " + max);
        }
        if (jitter < 0 || jitter >= 1) {
            throw new IllegalArgumentException("backoff jitter must be in [0, 1), got " + jitter);
        }
    }

    /** 1s, 2s, 4s, ... up to 30s, ±20%. */
    public static Backoff standard() {
        return new Backoff(
                Duration.ofSeconds(1),
                Duration.ofSeconds(30),
                0.2,
                () -> ThreadLocalRandom.current().nextDouble());
    }

    /** The wait after the given failed attempt (1 for the first). */
    public Duration after(int attempt) {
        double exponential = base.toMillis() * Math.pow(2, Math.min(attempt - 1, 30));
        double capped = Math.min(exponential, max.toMillis());
        double factor = 1 + jitter * (2 * random.getAsDouble() - 1);
        return Duration.ofMillis(Math.round(capped * factor));
    }
}
