package dev.fledge.operator.gates;

import dev.fledge.core.rollout.GateVerdict;
import java.util.Optional;

/**
 * A gate whose evaluation waits on Prometheus (metric and feedback gates), evaluated off the reconcile thread through
 * {@link DeferredReads}: a pass gets the verdict of an evaluation that ended since the last pass took one, or nothing
 * (the gate's last verdict in status stands, and the stage is held until every gate has passed since it began). Each
 * verdict is counted by one pass only, so a failure is not counted twice.
 */
public final class DeferredGate implements Gate {
    private final Gate inner;
    private final DeferredReads reads;

    public DeferredGate(Gate inner, DeferredReads reads) {
        this.inner = inner;
        this.reads = reads;
    }

    @Override
    public String name() {
        return inner.name();
    }

    /** Evaluates at once, on the caller's thread. */
    @Override
    public GateVerdict evaluate(GateContext context) {
        return inner.evaluate(context);
    }

    /** A verdict that came in since the last pass took one, or empty; an evaluation is sent if one is due. */
    public Optional<GateVerdict> poll(GateContext ctx) {
        var meta = ctx.release().getMetadata();
        return reads.take(new DeferredReads.Ask<>(
                meta.getNamespace(),
                meta.getNamespace() + "/" + meta.getName(),
                "gate:" + name(),
                ReadScope.of(ctx),
                ctx.plan().interval(),
                () -> GateRunner.safely(inner, ctx)));
    }
}
