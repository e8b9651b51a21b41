package dev.fledge.operator.gates;

import dev.fledge.core.rollout.GateVerdict;

/** Stands for a configured gate whose backend is not available in this operator: it holds the stage, never passes. */
public record UnavailableGate(String name, String kind, String why) implements Gate {
    @Override
    public GateVerdict evaluate(GateContext context) {
        return GateVerdict.inconclusive(name, kind, why);
    }
}
