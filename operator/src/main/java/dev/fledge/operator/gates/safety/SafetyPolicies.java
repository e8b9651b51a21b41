package dev.fledge.operator.gates.safety;

import dev.fledge.api.spec.SafetySpec;
import dev.fledge.operator.gates.bayes.BayesPolicy;

/** The Bayesian policy a {@link SafetySpec} asks for, with the documented defaults. */
final class SafetyPolicies {
    static final double DEFAULT_MAX_HARM_RATE = 0.01;

    private SafetyPolicies() {}

    static BayesPolicy of(SafetySpec s) {
        double max = s.getMaxHarmRate() == null ? DEFAULT_MAX_HARM_RATE : s.getMaxHarmRate();
        BayesPolicy p = BayesPolicy.defaults(max);
        if (s.getTolerableHarmRate() != null) {
            p = p.withTolerableRate(s.getTolerableHarmRate());
        }
        if (s.getConfidence() != null) {
            p = p.withConfidence(s.getConfidence());
        }
        if (s.getPrior() != null) {
            p = p.withPrior(s.getPrior().getAlpha(), s.getPrior().getBeta());
        }
        return p;
    }
}
