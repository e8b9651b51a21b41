package dev.fledge.operator.gates.bayes;

/**
 * The parameters of a {@link SequentialBayesRule}.
 *
 * @param maxRate        the rate that must not be reached; a pass needs P(rate &gt; maxRate | data) at most
 *                       {@code 1 - confidence}
 * @param tolerableRate  a rate that is clearly acceptable (the rate a fail must be told from); below {@code maxRate}
 * @param harmfulRate    a rate that is clearly unacceptable (the rate a pass must be told from); above {@code maxRate}. Between
 *                       the tolerable and the harmful rate lies the indifference zone
 * @param confidence     the posterior probability a verdict needs; {@code 1 - confidence} is also the accepted chance
 *                       of a false rollback at {@code tolerableRate}
 * @param priorAlpha     Beta prior pseudo-count of flagged outputs
 * @param priorBeta      Beta prior pseudo-count of clean outputs
 * @param missAtHarmful  the accepted chance of a pass when the rate is {@code harmfulRate}
 */
public record BayesPolicy(
        double maxRate,
        double tolerableRate,
        double harmfulRate,
        double confidence,
        double priorAlpha,
        double priorBeta,
        double missAtHarmful) {
    public static final double DEFAULT_CONFIDENCE = 0.95;
    public static final double DEFAULT_PRIOR_ALPHA = 1;
    public static final double DEFAULT_PRIOR_BETA = 99;
    public static final double DEFAULT_TOLERABLE_DIVISOR = 5;
    public static final double DEFAULT_MISS_AT_HARMFUL = 0.01;

    public BayesPolicy {
        if (!(maxRate > 0 && maxRate < 1)) {
            throw new IllegalArgumentException("maxRate must be in (0, 1): " + maxRate);
        }
        if (!(tolerableRate > 0 && tolerableRate < maxRate)) {
            throw new IllegalArgumentException("tolerableRate must be in (0, maxRate): " + tolerableRate);
        }
        if (!(harmfulRate > maxRate && harmfulRate < 1)) {
            throw new IllegalArgumentException("harmfulRate must be in (maxRate, 1): " + harmfulRate);
        }
        if (!(confidence >= 0.5 && confidence < 1)) {
            throw new IllegalArgumentException("confidence must be in [0.5, 1): " + confidence);
        }
        if (!(priorAlpha > 0 && priorBeta > 0)) {
            throw new IllegalArgumentException("prior parameters must be positive");
        }
        if (!(missAtHarmful > 0 && missAtHarmful < 0.5)) {
            throw new IllegalArgumentException("missAtHarmful must be in (0, 0.5): " + missAtHarmful);
        }
    }

    /**
     * The documented defaults around one maximum rate: tolerable = max / 5, harmful = {@link #harmfulFor(double)},
     * confidence 0.95, prior Beta(1, 99), 1% chance of passing at the harmful rate.
     */
    public static BayesPolicy defaults(double maxRate) {
        return new BayesPolicy(
                maxRate,
                maxRate / DEFAULT_TOLERABLE_DIVISOR,
                harmfulFor(maxRate),
                DEFAULT_CONFIDENCE,
                DEFAULT_PRIOR_ALPHA,
                DEFAULT_PRIOR_BETA,
                DEFAULT_MISS_AT_HARMFUL);
    }

    /** Twice the maximum, or halfway from the maximum to 1 when twice would reach 1. */
    public static double harmfulFor(double maxRate) {
        return Math.min(2 * maxRate, (1 + maxRate) / 2);
    }

    public BayesPolicy withConfidence(double c) {
        return new BayesPolicy(maxRate, tolerableRate, harmfulRate, c, priorAlpha, priorBeta, missAtHarmful);
    }

    public BayesPolicy withTolerableRate(double t) {
        return new BayesPolicy(maxRate, t, harmfulRate, confidence, priorAlpha, priorBeta, missAtHarmful);
    }

    public BayesPolicy withPrior(double a, double b) {
        return new BayesPolicy(maxRate, tolerableRate, harmfulRate, confidence, a, b, missAtHarmful);
    }
}
