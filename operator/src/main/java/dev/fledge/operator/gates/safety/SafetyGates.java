package dev.fledge.operator.gates.safety;

import dev.fledge.operator.gates.ConfiguredGates;
import dev.fledge.operator.gates.Gate;
import dev.fledge.operator.gates.UnavailableGate;

/** The factory of the {@code safety} gate. */
public final class SafetyGates implements ConfiguredGates.Factory {
    private final SafetyGate.SafetyCollaborators deps;

    public SafetyGates(SafetyGate.SafetyCollaborators deps) {
        this.deps = deps;
    }

    @Override
    public Gate apply(ConfiguredGates.GateSpecRef ref) {
        var analysis = ref.release().getSpec().getAnalysis();
        if (analysis == null || analysis.getSafety() == null) {
            return new UnavailableGate(ref.gate().name(), SafetyGate.KIND, "no spec.analysis.safety");
        }
        return new SafetyGate(analysis.getSafety(), deps);
    }
}
