package dev.fledge.operator.gates.bayes;

/**
 * The parameters of a {@link SequentialBayesRule}.
 *
 * @param maxRate         the rate that must not be reached (H1 of the Bayes factor)
 * @param tolerableRate   a rate that is clearly acceptable (H0); between the two lies the indifference zone
 * @param confidence      the posterior probability a verdict needs; {@code 1 - confidence} is also the accepted
 *                        chance of a false rollback at {@code tolerableRate}
 * @param priorAlpha      Beta prior pseudo-count of flagged outputs
 * @param priorBeta       Beta prior pseudo-count of clean outputs
 * @param missAtMax       the accepted chance of a pass when the rate is exactly {@code maxRate}; at twice the
 *                        maximum the chance falls far below it (see {@code docs/safety-gate-benchmark.csv})
 */
public record BayesPolicy(double maxRate, double tolerableRate, double confidence, double priorAlpha, double priorBeta,
        double missAtMax) {
    public static final double DEFAULT_CONFIDENCE = 0.95;
    public static final double DEFAULT_PRIOR_ALPHA = 1;
    public static final double DEFAULT_PRIOR_BETA = 99;
    public static final double DEFAULT_TOLERABLE_DIVISOR = 5;
    public static final double DEFAULT_MISS_AT_MAX = 0.13;

    public BayesPolicy {
        if (!(maxRate > 0 && maxRate < 1)) {
            throw new IllegalArgumentException("maxRate must be in (0, 1): " + maxRate);
        }
        if (!(tolerableRate > 0 && tolerableRate < maxRate)) {
            throw new IllegalArgumentException("tolerableRate must be in (0, maxRate): " + tolerableRate);
        }
        if (!(confidence >= 0.5 && confidence < 1)) {
            throw new IllegalArgumentException("confidence must be in [0.5, 1): " + confidence);
        }
        if (!(priorAlpha > 0 && priorBeta > 0)) {
            throw new IllegalArgumentException("prior parameters must be positive");
        }
        if (!(missAtMax > 0 && missAtMax < 0.5)) {
            throw new IllegalArgumentException("missAtMax must be in (0, 0.5): " + missAtMax);
        }
    }

    /** The documented defaults around one maximum rate: tolerable = max / 5, confidence 0.95, prior Beta(1, 99). */
    public static BayesPolicy defaults(double maxRate) {
        return new BayesPolicy(maxRate, maxRate / DEFAULT_TOLERABLE_DIVISOR, DEFAULT_CONFIDENCE, DEFAULT_PRIOR_ALPHA,
                DEFAULT_PRIOR_BETA, DEFAULT_MISS_AT_MAX);
    }

    public BayesPolicy withConfidence(double c) {
        return new BayesPolicy(maxRate, tolerableRate, c, priorAlpha, priorBeta, missAtMax);
    }

    public BayesPolicy withTolerableRate(double t) {
        return new BayesPolicy(maxRate, t, confidence, priorAlpha, priorBeta, missAtMax);
    }

    public BayesPolicy withPrior(double a, double b) {
        return new BayesPolicy(maxRate, tolerableRate, confidence, a, b, missAtMax);
    }

    public BayesPolicy withMissAtMax(double m) {
        return new BayesPolicy(maxRate, tolerableRate, confidence, priorAlpha, priorBeta, m);
    }

    /** Wald's bound on the Bayes factor for H0 (tolerable) that a pass needs: (1 - falseRollback) / missAtMax. */
    public double passBayesFactor() {
        return confidence / missAtMax;
    }

    /** Wald's bound on the Bayes factor for H1 (max) that a fail needs: (1 - missAtMax) / falseRollback. */
    public double failBayesFactor() {
        return (1 - missAtMax) / (1 - confidence);
    }
}
