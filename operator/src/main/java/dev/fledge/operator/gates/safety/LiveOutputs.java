package dev.fledge.operator.gates.safety;

import dev.fledge.operator.gates.GateContext;
import dev.fledge.operator.gates.bayes.Evidence;
import dev.fledge.operator.gates.metric.CounterEvidence;
import dev.fledge.operator.gates.metric.MetricGate;
import dev.fledge.operator.gates.metric.MetricsBackend;
import dev.fledge.operator.gates.metric.QueryResult;
import dev.fledge.operator.gates.metric.QueryTemplate;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;

/**
 * The online evidence of the safety gate, from the model server's metrics for the canary version and the current
 * audience: outputs judged and flagged ({@code fledge_model_outputs_total}) and the flags of each critical category
 * ({@code fledge_model_output_flags_total{category}}).
 */
final class LiveOutputs {
    static final String TOTAL =
            "sum(fledge_model_outputs_total{namespace=\"{{namespace}}\",release=\"{{release}}\",version=\"{{canaryVersion}}\",audience=\"{{audience}}\"})";
    static final String FLAGGED =
            "sum(fledge_model_outputs_total{namespace=\"{{namespace}}\",release=\"{{release}}\",version=\"{{canaryVersion}}\",audience=\"{{audience}}\",verdict=\"flagged\"})";
    /** Flagged live outputs of one judge category; {@code CATEGORY} is replaced by the quoted category. */
    static final String CATEGORY_FLAGS =
            "sum(fledge_model_output_flags_total{namespace=\"{{namespace}}\",release=\"{{release}}\",version=\"{{canaryVersion}}\",audience=\"{{audience}}\",category=\"CATEGORY\"})";

    /**
     * What was read: either {@code problem} (why not), or the evidence and the flags of each critical category.
     */
    record Reading(Evidence evidence, Map<String, Long> criticalFlags, String problem) {
        Map<String, Long> criticalHits() {
            Map<String, Long> hits = new TreeMap<>();
            criticalFlags.forEach((c, n) -> {
                if (n > 0) {
                    hits.put(c, n);
                }
            });
            return hits;
        }
    }

    private final MetricsBackend metrics;

    LiveOutputs(MetricsBackend metrics) {
        this.metrics = metrics;
    }

    Reading read(GateContext ctx, List<String> criticalCategories) {
        String namespace = ctx.release().getMetadata().getNamespace();
        Map<String, String> vars = MetricGate.variables(ctx);
        CounterEvidence live = CounterEvidence.read(
                metrics, namespace, new QueryTemplate(TOTAL).render(vars), new QueryTemplate(FLAGGED).render(vars));
        if (live.problem() != null) {
            return new Reading(null, Map.of(), live.problem());
        }
        Map<String, Long> flags = new TreeMap<>();
        for (String c : criticalCategories) {
            String q = new QueryTemplate(CATEGORY_FLAGS).render(vars).replace("CATEGORY", QueryTemplate.quote(c));
            QueryResult r = metrics.query(namespace, q);
            if (r instanceof QueryResult.Unusable u) {
                return new Reading(null, Map.of(), "flags of critical category " + c + ": " + u.reason());
            }
            flags.put(c, r instanceof QueryResult.Value v ? Math.round(v.value()) : 0);
        }
        return new Reading(live.evidence(), flags, null);
    }
}
