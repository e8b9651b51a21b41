package dev.fledge.operator.gates.bayes;

import dev.fledge.api.status.Verdict;

/**
 * What the Bayesian rule concluded from some evidence, with the figures status shows.
 *
 * @param upperBound  the posterior quantile at the policy's confidence
 * @param pAboveMax   P(rate &gt; maxRate | data)
 * @param bayesFactor the likelihood ratio of the tolerable rate over the harmful rate (above 1 favours tolerable)
 */
public record BayesAssessment(
        Verdict verdict,
        Evidence evidence,
        double posteriorMean,
        double upperBound,
        double pAboveMax,
        double bayesFactor,
        String reason) {}
