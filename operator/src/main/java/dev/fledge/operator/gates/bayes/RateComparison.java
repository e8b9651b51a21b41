package dev.fledge.operator.gates.bayes;

/**
 * Two independent rate posteriors, canary and stable. {@code P(rate_canary > rate_stable + margin)} is the mean of
 * the canary's survival function over the stable posterior, taken at evenly spaced stable quantiles (both from the
 * library's Beta distribution).
 */
public record RateComparison(BetaPosterior canary, BetaPosterior stable) {
    static final int POINTS = 2000;

    public double probabilityCanaryAbove(double margin) {
        double sum = 0;
        for (int i = 0; i < POINTS; i++) {
            double x = stable.upperBound((i + 0.5) / POINTS) + margin;
            sum += x >= 1 ? 0 : canary.probabilityAbove(x);
        }
        return sum / POINTS;
    }
}
