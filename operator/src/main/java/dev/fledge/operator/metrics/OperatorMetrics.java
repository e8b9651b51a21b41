package dev.fledge.operator.metrics;

import dev.fledge.api.status.GateResult;
import dev.fledge.api.status.Phase;
import dev.fledge.core.rollout.GateVerdict;
import io.micrometer.core.instrument.Gauge;
import io.micrometer.core.instrument.MeterRegistry;
import io.micrometer.core.instrument.Tags;
import io.micrometer.core.instrument.Timer;
import java.time.Instant;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.atomic.AtomicLong;
import java.util.concurrent.atomic.AtomicReference;
import java.util.stream.Collectors;

/**
 * The operator's own metrics (names in {@link MetricNames}), with labels {@code namespace} and {@code release}:
 * <ul>
 * <li>{@code fledge_release_phase{phase}} (1 for the current phase), {@code fledge_release_canary_weight};</li>
 * <li>{@code fledge_release_progress_deadline_timestamp_seconds}: when the running rollout's progressDeadline
 * expires (Unix time); 0 when no deadline runs (no rollout, paused, promoting);</li>
 * <li>{@code fledge_release_transitions_total{from,to}}, {@code fledge_gate_verdicts_total{gate,verdict}};</li>
 * <li>{@code fledge_gate_posterior_upper{gate}}, {@code fledge_gate_p_above_max{gate}},
 * {@code fledge_gate_samples{gate}}: the last evidence of each Bayesian gate in status;</li>
 * </ul>
 * and, without release labels, {@code fledge_notifications_total{result="sent|failed|dropped"}} and
 * {@code fledge_reconcile_seconds{part="total|gates|apply"}} (where reconcile time goes).
 */
public final class OperatorMetrics {
    public static final String NOTIFICATION_SENT = "sent";
    public static final String NOTIFICATION_FAILED = "failed";
    public static final String NOTIFICATION_DROPPED = "dropped";
    private static final List<String> GATE_GAUGES =
            List.of(MetricNames.GATE_POSTERIOR_UPPER, MetricNames.GATE_P_ABOVE_MAX, MetricNames.GATE_SAMPLES);

    private final MeterRegistry registry;
    private final Map<String, AtomicLong> gauges = new ConcurrentHashMap<>();
    private final Map<String, AtomicReference<Double>> values = new ConcurrentHashMap<>();

    public OperatorMetrics(MeterRegistry registry) {
        this.registry = registry;
    }

    public void observe(String namespace, String release, Phase phase, int canaryWeight) {
        for (Phase p : Phase.values()) {
            gauge(MetricNames.RELEASE_PHASE, namespace, release, Tags.of("phase", p.wireName()))
                    .set(p == phase ? 1 : 0);
        }
        gauge(MetricNames.CANARY_WEIGHT, namespace, release, Tags.empty()).set(canaryWeight);
    }

    /** The instant the running rollout's deadline expires, or null when none runs. */
    public void deadline(String namespace, String release, Instant expires) {
        gauge(MetricNames.PROGRESS_DEADLINE, namespace, release, Tags.empty())
                .set(expires == null ? 0 : expires.getEpochSecond());
    }

    /** The Bayesian evidence of the gates in status; gauges of gates no longer in status go away. */
    public void gates(String namespace, String release, List<GateResult> gates) {
        Set<String> present = gates == null
                ? Set.of()
                : gates.stream()
                        .filter(g -> g.getUpperBound() != null)
                        .map(GateResult::getName)
                        .collect(Collectors.toSet());
        registry.getMeters().stream()
                .filter(m -> GATE_GAUGES.contains(m.getId().getName())
                        && namespace.equals(m.getId().getTag("namespace"))
                        && release.equals(m.getId().getTag("release"))
                        && !present.contains(m.getId().getTag("gate")))
                .toList()
                .forEach(m -> {
                    registry.remove(m);
                    values.remove(key(
                            m.getId().getName(),
                            namespace,
                            release,
                            Tags.of("gate", m.getId().getTag("gate"))));
                });
        if (gates == null) {
            return;
        }
        for (GateResult g : gates) {
            if (g.getUpperBound() == null) {
                continue;
            }
            Tags gate = Tags.of("gate", g.getName());
            value(MetricNames.GATE_POSTERIOR_UPPER, namespace, release, gate).set(g.getUpperBound());
            value(MetricNames.GATE_P_ABOVE_MAX, namespace, release, gate)
                    .set(g.getPAboveMax() == null ? Double.NaN : g.getPAboveMax());
            value(MetricNames.GATE_SAMPLES, namespace, release, gate)
                    .set(g.getSamples() == null ? Double.NaN : g.getSamples());
        }
    }

    public void transition(String namespace, String release, String from, String to) {
        registry.counter(
                        MetricNames.TRANSITIONS,
                        Tags.of("namespace", namespace, "release", release, "from", from, "to", to))
                .increment();
    }

    public void verdict(String namespace, String release, GateVerdict v) {
        registry.counter(
                        MetricNames.GATE_VERDICTS,
                        Tags.of(
                                "namespace",
                                namespace,
                                "release",
                                release,
                                "gate",
                                v.name(),
                                "verdict",
                                v.verdict().wireName()))
                .increment();
    }

    /** Starts timing a part of a reconcile, on the registry's clock. */
    public Timer.Sample startTimer() {
        return Timer.start(registry);
    }

    /** {@code fledge_reconcile_seconds{part}}: time spent in a part of a reconcile (gates, apply, total). */
    public void reconcilePart(String part, Timer.Sample sample) {
        sample.stop(registry.timer(MetricNames.RECONCILE, "part", part));
    }

    /** One notification outcome: {@link #NOTIFICATION_SENT}, {@link #NOTIFICATION_FAILED} or {@link #NOTIFICATION_DROPPED}. */
    public void notification(String result) {
        registry.counter(MetricNames.NOTIFICATIONS, Tags.of("result", result)).increment();
    }

    public void forget(String namespace, String release) {
        registry.getMeters().stream()
                .filter(m -> release.equals(m.getId().getTag("release"))
                        && namespace.equals(m.getId().getTag("namespace")))
                .toList()
                .forEach(registry::remove);
        gauges.keySet().removeIf(k -> k.startsWith(namespace + "|" + release + "|"));
        values.keySet().removeIf(k -> k.startsWith(namespace + "|" + release + "|"));
    }

    private static String key(String name, String namespace, String release, Tags extra) {
        return namespace + "|" + release + "|" + name + "|" + extra;
    }

    private AtomicLong gauge(String name, String namespace, String release, Tags extra) {
        return gauges.computeIfAbsent(key(name, namespace, release, extra), k -> {
            AtomicLong holder = new AtomicLong();
            Gauge.builder(name, holder, AtomicLong::get)
                    .tags(extra.and("namespace", namespace, "release", release))
                    .register(registry);
            return holder;
        });
    }

    private AtomicReference<Double> value(String name, String namespace, String release, Tags extra) {
        return values.computeIfAbsent(key(name, namespace, release, extra), k -> {
            AtomicReference<Double> holder = new AtomicReference<>(Double.NaN);
            Gauge.builder(name, holder, AtomicReference::get)
                    .tags(extra.and("namespace", namespace, "release", release))
                    .register(registry);
            return holder;
        });
    }
}
