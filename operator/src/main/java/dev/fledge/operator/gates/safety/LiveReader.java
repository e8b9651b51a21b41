package dev.fledge.operator.gates.safety;

import dev.fledge.operator.gates.DeferredReads;
import dev.fledge.operator.gates.GateContext;
import dev.fledge.operator.gates.ReadScope;
import dev.fledge.operator.gates.metric.MetricsBackend;
import java.util.List;
import java.util.Optional;

/** Reads the safety gate's online evidence ({@link LiveOutputs}); empty while the first reading is on its way. */
public interface LiveReader {
    Optional<LiveOutputs.Reading> read(GateContext ctx, String gate, List<String> criticalCategories);

    /** On the caller's thread (unit tests of the verdict logic). */
    static LiveReader direct(MetricsBackend metrics) {
        return (ctx, gate, critical) -> Optional.of(new LiveOutputs(metrics).read(ctx, critical));
    }

    /**
     * Off the reconcile thread: each pass weighs the latest reading of the stage, and a new one is asked once per
     * analysis interval.
     */
    static LiveReader deferred(MetricsBackend metrics, DeferredReads reads) {
        return (ctx, gate, critical) -> {
            var meta = ctx.release().getMetadata();
            return reads.latest(new DeferredReads.Ask<>(
                            meta.getNamespace(),
                            meta.getNamespace() + "/" + meta.getName(),
                            "live:" + gate,
                            ReadScope.of(ctx),
                            ctx.plan().interval(),
                            () -> new LiveOutputs(metrics).read(ctx, critical)))
                    .map(DeferredReads.Answer::value);
        };
    }
}
