package dev.fledge.operator.gates.metric;

import dev.fledge.api.spec.MetricSpec;
import dev.fledge.api.spec.NoDataPolicy;
import dev.fledge.api.spec.ServerProfile;
import dev.fledge.core.rollout.GateVerdict;
import dev.fledge.operator.gates.Gate;
import dev.fledge.operator.gates.GateContext;
import java.time.Duration;
import java.util.HashMap;
import java.util.Locale;
import java.util.Map;
import java.util.Optional;

/**
 * A Prometheus metric gate: renders the query (or a built-in template), reads one number and compares it with
 * {@code min}/{@code max}. No data follows {@code noData}; an unusable answer (Prometheus down, timeout, an error,
 * several series) is Inconclusive with the reason, never a pass.
 */
public final class MetricGate implements Gate {
    public static final String KIND = "metric";

    private final MetricSpec spec;
    private final MetricsBackend backend;

    public MetricGate(MetricSpec spec, MetricsBackend backend) {
        this.spec = spec;
        this.backend = backend;
    }

    @Override
    public String name() {
        return spec.getName();
    }

    @Override
    public GateVerdict evaluate(GateContext ctx) {
        String promql;
        try {
            String text = spec.getQuery();
            if (spec.getTemplate() != null) {
                ServerProfile profile = ProfileQueries.profileOf(ctx.release().getSpec());
                Optional<String> builtIn = ProfileQueries.of(profile, spec.getTemplate());
                if (builtIn.isEmpty()) {
                    // the spec validation refuses it first; never a pass if it gets here
                    return GateVerdict.inconclusive(name(), KIND, ProfileQueries.refusal(profile, spec.getTemplate()));
                }
                text = builtIn.get();
            }
            if (text == null || text.isBlank()) {
                return GateVerdict.inconclusive(name(), KIND, "the metric has neither a query nor a template");
            }
            promql = new QueryTemplate(text).render(variables(ctx, backend.minQueryRange()));
        } catch (IllegalArgumentException e) {
            return GateVerdict.inconclusive(name(), KIND, e.getMessage());
        }
        QueryResult result = backend.query(ctx.release().getMetadata().getNamespace(), promql);
        if (result instanceof QueryResult.Value v) {
            return judge(v.value());
        }
        if (result instanceof QueryResult.NoData n) {
            return spec.getNoData() == NoDataPolicy.FAIL
                    ? GateVerdict.fail(name(), KIND, "no data (noData: fail): " + n.detail())
                    : GateVerdict.inconclusive(name(), KIND, "no data: " + n.detail());
        }
        return GateVerdict.inconclusive(name(), KIND, ((QueryResult.Unusable) result).reason());
    }

    private GateVerdict judge(double value) {
        String shown = String.format(Locale.ROOT, "%.6g", value);
        if (spec.getMin() != null && value < spec.getMin()) {
            return GateVerdict.fail(name(), KIND, "value " + shown + " is below min " + spec.getMin())
                    .withValue(value);
        }
        if (spec.getMax() != null && value > spec.getMax()) {
            return GateVerdict.fail(name(), KIND, "value " + shown + " is above max " + spec.getMax())
                    .withValue(value);
        }
        return GateVerdict.pass(name(), KIND, "value " + shown + " is within " + bounds())
                .withValue(value);
    }

    private String bounds() {
        return "[" + (spec.getMin() == null ? "-inf" : spec.getMin()) + ", "
                + (spec.getMax() == null ? "+inf" : spec.getMax()) + "]";
    }

    /** The template variables of a gate's queries, with {@code interval} the analysis interval itself. */
    public static Map<String, String> variables(GateContext ctx) {
        return variables(ctx, Duration.ZERO);
    }

    /**
     * The template variables of a gate's queries: release, namespace, versions, stage, audience, and {@code interval}:
     * the analysis interval, or {@code minRange} when that is longer (a range shorter than a few scrape intervals
     * gives rate() too few points: no data or a wrong value).
     */
    public static Map<String, String> variables(GateContext ctx, Duration minRange) {
        Map<String, String> v = new HashMap<>();
        v.put("release", ctx.release().getMetadata().getName());
        v.put("namespace", nz(ctx.release().getMetadata().getNamespace()));
        v.put(
                "canaryVersion",
                ctx.canaryVersion() != null ? ctx.canaryVersion() : ctx.plan().version());
        v.put("stableVersion", nz(ctx.stableVersion()));
        v.put("stage", ctx.stage() == null ? "" : ctx.stage().wireName());
        v.put("audience", nz(ctx.audience()));
        Duration interval = ctx.plan().interval();
        v.put("interval", promDuration(interval.compareTo(minRange) >= 0 ? interval : minRange));
        return v;
    }

    /** A Prometheus range duration: whole seconds, at least one. */
    static String promDuration(Duration d) {
        return Math.max(1, d.toSeconds()) + "s";
    }

    private static String nz(String s) {
        return s == null ? "" : s;
    }
}
