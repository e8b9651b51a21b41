package dev.fledge.operator.rollout;

import dev.fledge.api.status.Verdict;

/**
 * What one gate concluded in one evaluation, with its evidence. Evidence fields are null when a gate has none
 * of that kind (a metric gate has a value, a Bayesian gate has samples and posterior figures).
 */
public record GateVerdict(String name, String kind, Verdict verdict, boolean critical, String reason, Double value,
        Long samples, Long flagged, Double posteriorMean, Double upperBound, Double pAboveMax) {

    public static GateVerdict pass(String name, String kind, String reason) {
        return new GateVerdict(name, kind, Verdict.PASS, false, reason, null, null, null, null, null, null);
    }

    public static GateVerdict fail(String name, String kind, String reason) {
        return new GateVerdict(name, kind, Verdict.FAIL, false, reason, null, null, null, null, null, null);
    }

    public static GateVerdict inconclusive(String name, String kind, String reason) {
        return new GateVerdict(name, kind, Verdict.INCONCLUSIVE, false, reason, null, null, null, null, null, null);
    }

    public GateVerdict asCritical() {
        return new GateVerdict(name, kind, verdict, true, reason, value, samples, flagged, posteriorMean, upperBound, pAboveMax);
    }

    public GateVerdict withValue(Double v) {
        return new GateVerdict(name, kind, verdict, critical, reason, v, samples, flagged, posteriorMean, upperBound, pAboveMax);
    }
}
