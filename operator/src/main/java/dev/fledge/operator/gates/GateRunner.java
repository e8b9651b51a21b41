package dev.fledge.operator.gates;

import dev.fledge.core.rollout.GateVerdict;
import java.util.ArrayList;
import java.util.List;

/**
 * Runs gates; a gate that throws anyway gives Inconclusive with the error, never a pass and never a crash. A
 * {@link DeferredGate} gives a verdict only when one came in since the last pass: the list then leaves it out.
 */
public final class GateRunner {
    public List<GateVerdict> run(List<Gate> gates, GateContext context) {
        List<GateVerdict> out = new ArrayList<>();
        for (Gate gate : gates) {
            try {
                if (gate instanceof DeferredGate deferred) {
                    deferred.poll(context).ifPresent(out::add);
                } else {
                    out.add(gate.evaluate(context));
                }
            } catch (RuntimeException e) {
                out.add(failed(gate, e));
            }
        }
        return out;
    }

    static GateVerdict safely(Gate gate, GateContext context) {
        try {
            return gate.evaluate(context);
        } catch (RuntimeException e) {
            return failed(gate, e);
        }
    }

    private static GateVerdict failed(Gate gate, RuntimeException e) {
        return GateVerdict.inconclusive(gate.name(), "unknown", "gate error: " + e);
    }
}
