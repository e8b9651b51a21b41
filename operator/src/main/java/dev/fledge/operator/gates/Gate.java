package dev.fledge.operator.gates;

import dev.fledge.core.rollout.GateVerdict;

/**
 * One analysis gate: Prometheus metric, safety evaluation or feedback. Implementations must not throw for
 * expected failures (backend down, timeout, bad data): those are {@code Inconclusive} verdicts with a reason.
 */
public interface Gate {
    String name();

    GateVerdict evaluate(GateContext context);
}
