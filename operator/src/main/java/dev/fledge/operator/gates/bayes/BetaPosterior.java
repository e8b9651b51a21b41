package dev.fledge.operator.gates.bayes;

import org.apache.commons.statistics.distribution.BetaDistribution;

/**
 * The posterior {@code Beta(alpha + flagged, beta + samples - flagged)} of a rate under a {@code Beta(alpha, beta)}
 * prior. The distribution functions are Commons Statistics', not hand-written.
 */
public final class BetaPosterior {
    private final double alpha;
    private final double beta;
    private final BetaDistribution distribution;

    private BetaPosterior(double alpha, double beta) {
        this.alpha = alpha;
        this.beta = beta;
        this.distribution = BetaDistribution.of(alpha, beta);
    }

    public static BetaPosterior of(double priorAlpha, double priorBeta, Evidence evidence) {
        if (!(priorAlpha > 0) || !(priorBeta > 0)) {
            throw new IllegalArgumentException("prior parameters must be positive: " + priorAlpha + ", " + priorBeta);
        }
        return new BetaPosterior(priorAlpha + evidence.flagged(), priorBeta + evidence.samples() - evidence.flagged());
    }

    public double alpha() {
        return alpha;
    }

    public double beta() {
        return beta;
    }

    public double mean() {
        return alpha / (alpha + beta);
    }

    /** P(rate > x | data). */
    public double probabilityAbove(double x) {
        return distribution.survivalProbability(x);
    }

    /** P(rate < x | data). */
    public double probabilityBelow(double x) {
        return distribution.cumulativeProbability(x);
    }

    /** The upper end of the one-sided credible interval: P(rate <= bound | data) = level. */
    public double upperBound(double level) {
        return distribution.inverseCumulativeProbability(level);
    }
}
