package dev.fledge.operator.gates;

import dev.fledge.core.rollout.GateVerdict;
import java.util.Optional;

/**
 * A gate whose evaluation waits on Prometheus (metric and feedback gates), evaluated off the reconcile thread through
 * {@link DeferredReads}. The pass that sends an evaluation waits a moment for it ({@code fledge.prometheus.answer-wait})
 * and records the verdict if it came; if not, it records Inconclusive ("evaluating"), so no stage ends on a verdict
 * from before it (the canary was unready for a while, the operator was down) and none ends while an evaluation is on
 * its way, and the pass woken by the answer records the verdict. Each verdict is recorded by one pass only (a failure
 * counts once). A pass in between that evaluates the gate records the placeholder again while the reading is on its
 * way (the first one may have been held in memory and lost: HeldAnalyses), and nothing once its answer was taken.
 */
public final class DeferredGate implements Gate {
    private final Gate inner;
    private final String kind;
    private final DeferredReads reads;

    /** {@code kind}: the inner gate's ({@code metric}, {@code feedback}), for the verdict of a pass that sends. */
    public DeferredGate(Gate inner, String kind, DeferredReads reads) {
        this.inner = inner;
        this.kind = kind;
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

    /**
     * This pass's verdict of the gate, if it has one (see above). The gate runs with its context's now moved on by the
     * wait for a free reader, as Prometheus evaluates its queries then: a range reckoned from the pass's now would
     * start that much late (the feedback gate's range from the rollout's start).
     */
    public Optional<GateVerdict> poll(GateContext ctx) {
        long askedAt = System.nanoTime();
        DeferredReads.Taken<GateVerdict> taken = reads.take(DeferredReads.Ask.of(
                ctx,
                "gate:" + name(),
                () -> GateRunner.safely(inner, ctx.withNow(ctx.now().plusNanos(System.nanoTime() - askedAt)))));
        if (taken instanceof DeferredReads.Fresh<GateVerdict> fresh) {
            return Optional.of(fresh.value());
        }
        if (taken instanceof DeferredReads.Sent<GateVerdict> sent) {
            return Optional.of(GateVerdict.evaluating(
                    name(),
                    kind,
                    "asked Prometheus at " + sent.at()
                            + " (off the reconcile thread); the verdict is recorded when it answers"));
        }
        return Optional.empty();
    }
}
