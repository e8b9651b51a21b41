package dev.fledge.operator.metrics;

import java.util.Set;

/**
 * The names of the operator's metrics, in one place: {@link OperatorMetrics} registers them, and the chart's tests
 * (alerts, Grafana dashboard) check that they read only {@link #EXPORTED} names. Plain Java on purpose, like
 * {@code RequiredPermissions}: the chart tests take this module without its dependencies.
 */
public final class MetricNames {
    public static final String RELEASE_PHASE = "fledge_release_phase";
    public static final String CANARY_WEIGHT = "fledge_release_canary_weight";
    public static final String PROGRESS_DEADLINE = "fledge_release_progress_deadline_timestamp_seconds";
    /** A counter: exported as {@code fledge_release_transitions_total}. */
    public static final String TRANSITIONS = "fledge_release_transitions";
    /** A counter: exported as {@code fledge_gate_verdicts_total}. */
    public static final String GATE_VERDICTS = "fledge_gate_verdicts";

    public static final String GATE_POSTERIOR_UPPER = "fledge_gate_posterior_upper";
    public static final String GATE_P_ABOVE_MAX = "fledge_gate_p_above_max";
    public static final String GATE_SAMPLES = "fledge_gate_samples";
    /** A counter: exported as {@code fledge_notifications_total}. */
    public static final String NOTIFICATIONS = "fledge_notifications";
    /** A counter: exported as {@code fledge_events_total}. */
    public static final String EVENTS = "fledge_events";
    /** A timer: exported as {@code fledge_reconcile_seconds_count}, {@code _sum} and {@code _max}. */
    public static final String RECONCILE = "fledge_reconcile";

    /** The names Prometheus scrapes from /q/metrics, which alerts and dashboards may use. */
    public static final Set<String> EXPORTED = Set.of(
            RELEASE_PHASE,
            CANARY_WEIGHT,
            PROGRESS_DEADLINE,
            TRANSITIONS + "_total",
            GATE_VERDICTS + "_total",
            GATE_POSTERIOR_UPPER,
            GATE_P_ABOVE_MAX,
            GATE_SAMPLES,
            NOTIFICATIONS + "_total",
            EVENTS + "_total",
            RECONCILE + "_seconds_count",
            RECONCILE + "_seconds_sum",
            RECONCILE + "_seconds_max");

    private MetricNames() {}
}
