package dev.fledge.operator.gates.safety;

import dev.fledge.operator.gates.DeferredReads;
import dev.fledge.operator.gates.GateContext;
import dev.fledge.operator.gates.metric.MetricsBackend;
import java.util.List;
import java.util.Map;
import java.util.Optional;

/** Reads the safety gate's online evidence ({@link LiveOutputs}); empty while the first reading is on its way. */
public interface LiveReader {
    Optional<LiveOutputs.Reading> read(GateContext ctx, String gate, List<String> criticalCategories);

    /** On the caller's thread (unit tests of the verdict logic). */
    static LiveReader direct(MetricsBackend metrics) {
        return (ctx, gate, critical) -> Optional.of(new LiveOutputs(metrics).read(ctx, critical));
    }

    /**
     * Off the reconcile thread: each pass weighs the latest reading of the stage (and public step), and a new one is
     * asked once per analysis interval. The reading's window runs from before the stage's start ({@link LiveOutputs})
     * to when the reader runs the queries, not to when the pass asked: Prometheus evaluates them then, so a window that
     * ended at the ask would lose its first seconds, as many as the reading waited for a free reader.
     */
    static LiveReader deferred(MetricsBackend metrics, DeferredReads reads) {
        return (ctx, gate, critical) -> {
            long askedAt = System.nanoTime();
            return reads.latest(
                            DeferredReads.Ask.of(ctx, "live:" + gate, () -> readNow(metrics, ctx, askedAt, critical)))
                    .map(DeferredReads.Answer::value);
        };
    }

    private static LiveOutputs.Reading readNow(
            MetricsBackend metrics, GateContext asked, long askedAt, List<String> critical) {
        GateContext now = asked.withNow(asked.now().plusNanos(System.nanoTime() - askedAt));
        try {
            return new LiveOutputs(metrics).read(now, critical);
        } catch (RuntimeException e) {
            return new LiveOutputs.Reading(null, Map.of(), null, "online evidence could not be read: " + e);
        }
    }
}
