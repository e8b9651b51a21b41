package dev.fledge.helm;

import dev.fledge.operator.metrics.MetricNames;
import java.util.Set;
import java.util.TreeSet;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/** The metrics the operator exports on /q/metrics ({@link MetricNames}), which the alerts and the dashboard may use. */
final class OperatorMetrics {

    static final Set<String> EXPORTED = MetricNames.EXPORTED;

    private static final Pattern FLEDGE_METRIC = Pattern.compile("\\bfledge_[a-z_]+\\b");

    private OperatorMetrics() {}

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
