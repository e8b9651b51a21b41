package dev.fledge.operator.metrics;

import dev.fledge.api.status.GateResult;
import dev.fledge.api.status.Phase;
import dev.fledge.core.rollout.GateVerdict;
import io.micrometer.core.instrument.Gauge;
import io.micrometer.core.instrument.Meter;
import io.micrometer.core.instrument.MeterRegistry;
import io.micrometer.core.instrument.Tags;
import io.micrometer.core.instrument.Timer;
import java.time.Instant;
import java.util.ArrayList;
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

    private final MeterRegistry registry;
    /**
     * Per release ({@code namespace|release}): its meters, so that a pass and a deletion touch only the release's own
     * and never scan the registry (a scan per pass for the gauges of gates gone took a quarter of the operator's CPU
     * at 1000 releases: bench-operator).
     */
    private final Map<String, ReleaseMeters> releases = new ConcurrentHashMap<>();

    public OperatorMetrics(MeterRegistry registry) {
        this.registry = registry;
    }

    public void observe(String namespace, String release, Phase phase, int canaryWeight) {
        ReleaseMeters meters = of(namespace, release);
        for (Phase p : Phase.values()) {
            meters.gauge(MetricNames.RELEASE_PHASE, "phase", p.wireName()).set(p == phase ? 1 : 0);
        }
        meters.gauge(MetricNames.CANARY_WEIGHT, null, null).set(canaryWeight);
    }

    /** The instant the running rollout's deadline expires, or null when none runs. */
    public void deadline(String namespace, String release, Instant expires) {
        of(namespace, release)
                .gauge(MetricNames.PROGRESS_DEADLINE, null, null)
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
        ReleaseMeters meters =
                present.isEmpty() ? releases.get(releaseKey(namespace, release)) : of(namespace, release);
        if (meters == null) {
            return;
        }
        meters.dropGatesOtherThan(present);
        if (gates == null) {
            return;
        }
        for (GateResult g : gates) {
            if (g.getUpperBound() == null) {
                continue;
            }
            meters.gate(MetricNames.GATE_POSTERIOR_UPPER, g.getName()).set(g.getUpperBound());
            meters.gate(MetricNames.GATE_P_ABOVE_MAX, g.getName())
                    .set(g.getPAboveMax() == null ? Double.NaN : g.getPAboveMax());
            meters.gate(MetricNames.GATE_SAMPLES, g.getName())
                    .set(g.getSamples() == null ? Double.NaN : g.getSamples());
        }
    }

    public void transition(String namespace, String release, String from, String to) {
        of(namespace, release)
                .counted(registry.counter(
                        MetricNames.TRANSITIONS,
                        Tags.of("namespace", namespace, "release", release, "from", from, "to", to)))
                .increment();
    }

    public void verdict(String namespace, String release, GateVerdict v) {
        of(namespace, release)
                .counted(registry.counter(
                        MetricNames.GATE_VERDICTS,
                        Tags.of(
                                "namespace",
                                namespace,
                                "release",
                                release,
                                "gate",
                                v.name(),
                                "verdict",
                                v.verdict().wireName())))
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

    /** One Kubernetes Event's outcome: written, failed (the API server refused it) or dropped (its queue full). */
    public void event(String result) {
        registry.counter(MetricNames.EVENTS, Tags.of("result", result)).increment();
    }

    /**
     * Drops a deleted release's series. Also those a pass registered while a deletion was being forgotten on another
     * thread (into meters no longer kept): the registry is searched by the release's tags, once per deletion.
     */
    public void forget(String namespace, String release) {
        ReleaseMeters meters = releases.remove(releaseKey(namespace, release));
        if (meters != null) {
            meters.all.keySet().forEach(registry::remove);
        }
        List<Meter> left = new ArrayList<>();
        for (Meter m : registry.getMeters()) {
            if (release.equals(m.getId().getTag("release"))
                    && namespace.equals(m.getId().getTag("namespace"))) {
                left.add(m);
            }
        }
        left.forEach(registry::remove);
    }

    private ReleaseMeters of(String namespace, String release) {
        return releases.computeIfAbsent(releaseKey(namespace, release), k -> new ReleaseMeters(namespace, release));
    }

    private static String releaseKey(String namespace, String release) {
        return namespace + "|" + release;
    }

    /** One release's meters: gauges by name and extra tag, the gates with evidence gauges, and every meter. */
    private final class ReleaseMeters {
        private final Tags tags;
        private final Map<String, AtomicLong> gauges = new ConcurrentHashMap<>();
        /** Per gate name: its evidence gauges' values by metric name. */
        private final Map<String, Map<String, AtomicReference<Double>>> gates = new ConcurrentHashMap<>();
        /** Every meter registered for the release, with the gate it belongs to ("" when none). */
        private final Map<Meter, String> all = new ConcurrentHashMap<>();

        ReleaseMeters(String namespace, String release) {
            this.tags = Tags.of("namespace", namespace, "release", release);
        }

        AtomicLong gauge(String name, String tag, String value) {
            return gauges.computeIfAbsent(tag == null ? name : name + "|" + value, k -> {
                AtomicLong holder = new AtomicLong();
                Tags with = tag == null ? tags : tags.and(tag, value);
                all.put(Gauge.builder(name, holder, AtomicLong::get).tags(with).register(registry), "");
                return holder;
            });
        }

        AtomicReference<Double> gate(String name, String gate) {
            return gates.computeIfAbsent(gate, g -> new ConcurrentHashMap<>()).computeIfAbsent(name, n -> {
                AtomicReference<Double> holder = new AtomicReference<>(Double.NaN);
                all.put(
                        Gauge.builder(name, holder, AtomicReference::get)
                                .tags(tags.and("gate", gate))
                                .register(registry),
                        gate);
                return holder;
            });
        }

        void dropGatesOtherThan(Set<String> present) {
            if (present.containsAll(gates.keySet())) {
                return;
            }
            gates.keySet().removeIf(g -> !present.contains(g));
            all.entrySet().removeIf(e -> {
                boolean gone = !e.getValue().isEmpty() && !present.contains(e.getValue());
                if (gone) {
                    registry.remove(e.getKey());
                }
                return gone;
            });
        }

        <M extends Meter> M counted(M meter) {
            all.putIfAbsent(meter, "");
            return meter;
        }
    }
}
