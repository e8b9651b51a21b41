package dev.fledge.operator.metrics;

import dev.fledge.api.status.Phase;
import dev.fledge.operator.rollout.GateVerdict;
import io.micrometer.core.instrument.Gauge;
import io.micrometer.core.instrument.MeterRegistry;
import io.micrometer.core.instrument.Tags;

import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.atomic.AtomicInteger;

/**
 * The operator's own metrics: {@code fledge_release_phase{namespace,release,phase}} (1 for the current phase),
 * {@code fledge_release_canary_weight}, {@code fledge_release_transitions_total{from,to}} and
 * {@code fledge_gate_verdicts_total{gate,verdict}}, and {@code fledge_reconcile_seconds{part}} for where reconcile
 * time goes.
 */
public final class OperatorMetrics {
    private final MeterRegistry registry;
    private final Map<String, AtomicInteger> gauges = new ConcurrentHashMap<>();

    public OperatorMetrics(MeterRegistry registry) {
        this.registry = registry;
    }

    public void observe(String namespace, String release, Phase phase, int canaryWeight) {
        for (Phase p : Phase.values()) {
            gauge("fledge_release_phase", namespace, release, Tags.of("phase", p.wireName())).set(p == phase ? 1 : 0);
        }
        gauge("fledge_release_canary_weight", namespace, release, Tags.empty()).set(canaryWeight);
    }

    public void transition(String namespace, String release, String from, String to) {
        registry.counter("fledge_release_transitions", Tags.of("namespace", namespace, "release", release,
                "from", from, "to", to)).increment();
    }

    public void verdict(String namespace, String release, GateVerdict v) {
        registry.counter("fledge_gate_verdicts", Tags.of("namespace", namespace, "release", release, "gate", v.name(),
                "verdict", v.verdict().wireName())).increment();
    }

    /** {@code fledge_reconcile_seconds{part}}: time spent in a part of a reconcile (gates, apply, total). */
    public void reconcilePart(String part, long nanos) {
        registry.timer("fledge_reconcile", "part", part).record(nanos, java.util.concurrent.TimeUnit.NANOSECONDS);
    }

    public void forget(String namespace, String release) {
        registry.getMeters().stream().filter(m -> release.equals(m.getId().getTag("release"))
                && namespace.equals(m.getId().getTag("namespace"))).toList().forEach(registry::remove);
        gauges.keySet().removeIf(k -> k.startsWith(namespace + "|" + release + "|"));
    }

    private AtomicInteger gauge(String name, String namespace, String release, Tags extra) {
        String key = namespace + "|" + release + "|" + name + "|" + extra;
        return gauges.computeIfAbsent(key, k -> {
            AtomicInteger holder = new AtomicInteger();
            Gauge.builder(name, holder, AtomicInteger::get).tags(extra.and("namespace", namespace, "release", release))
                    .register(registry);
            return holder;
        });
    }
}
