package dev.fledge.operator.gates.feedback;

import dev.fledge.operator.gates.ConfiguredGates;
import dev.fledge.operator.gates.Gate;
import dev.fledge.operator.gates.UnavailableGate;
import dev.fledge.operator.gates.metric.MetricsBackend;

/** The factory of the {@code feedback} gate. */
public final class FeedbackGates implements ConfiguredGates.Factory {
    public static final String KIND = "feedback";
    private final MetricsBackend metrics;

    public FeedbackGates(MetricsBackend metrics) {
        this.metrics = metrics;
    }

    @Override
    public Gate apply(ConfiguredGates.GateSpecRef ref) {
        var analysis = ref.release().getSpec().getAnalysis();
        if (analysis == null || analysis.getFeedback() == null) {
            return new UnavailableGate(ref.gate().name(), KIND, "no spec.analysis.feedback");
        }
        return new FeedbackGate(analysis.getFeedback(), metrics);
    }
}
