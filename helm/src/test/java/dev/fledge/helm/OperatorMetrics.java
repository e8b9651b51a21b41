package dev.fledge.helm;

import java.util.Set;
import java.util.TreeSet;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/** The metrics the operator exports on /q/metrics, which the alerts and the dashboard may use. */
final class OperatorMetrics {

    static final Set<String> EXPORTED = Set.of(
            "fledge_release_phase",
            "fledge_release_canary_weight",
            "fledge_release_transitions_total",
            "fledge_gate_verdicts_total",
            "fledge_gate_posterior_upper",
            "fledge_gate_p_above_max",
            "fledge_gate_samples",
            "fledge_release_progress_deadline_timestamp_seconds",
            "fledge_notifications_total");

    private static final Pattern FLEDGE_METRIC = Pattern.compile("\\bfledge_[a-z_]+\\b");

    private OperatorMetrics() {
    }

    /** The fledge_* metric names a PromQL expression reads. */
    static Set<String> usedBy(String promql) {
        Set<String> names = new TreeSet<>();
        Matcher matcher = FLEDGE_METRIC.matcher(promql);
        while (matcher.find()) {
            names.add(matcher.group());
        }
        return names;
    }
}
