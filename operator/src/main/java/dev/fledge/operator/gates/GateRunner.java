package dev.fledge.operator.gates;

import dev.fledge.core.rollout.GateVerdict;
import java.util.ArrayList;
import java.util.List;

/** Runs gates; a gate that throws anyway gives Inconclusive with the error, never a pass and never a crash. */
public final class GateRunner {
    public List<GateVerdict> run(List<Gate> gates, GateContext context) {
        List<GateVerdict> out = new ArrayList<>();
        for (Gate gate : gates) {
            try {
                out.add(gate.evaluate(context));
            } catch (RuntimeException e) {
                out.add(GateVerdict.inconclusive(gate.name(), "unknown", "gate error: " + e));
            }
        }
        return out;
    }
}
