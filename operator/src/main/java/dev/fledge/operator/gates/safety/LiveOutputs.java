package dev.fledge.operator.gates.safety;

import dev.fledge.api.spec.MirrorSource;
import dev.fledge.core.rollout.Stage;
import dev.fledge.core.rollout.StagePlan;
import dev.fledge.operator.gates.GateContext;
import dev.fledge.operator.gates.bayes.Evidence;
import dev.fledge.operator.gates.metric.CounterEvidence;
import dev.fledge.operator.gates.metric.MetricGate;
import dev.fledge.operator.gates.metric.MetricsBackend;
import dev.fledge.operator.gates.metric.QueryResult;
import dev.fledge.operator.gates.metric.QueryTemplate;
import dev.fledge.operator.workload.ServingConfig;
import java.time.Duration;
import java.time.Instant;
import java.time.format.DateTimeParseException;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.TreeMap;

/**
 * The online evidence of the safety gate, from the model server's metrics for the canary version and the current
 * audience (in the shadow stage: the mirrored audiences, {@link #audience}): outputs judged and flagged ({@code
 * fledge_model_outputs_total}) and the flags of each critical category ({@code
 * fledge_model_output_flags_total{category}}), each as the counters' rise over the current stage ({@link #rise}). So
 * outputs from long before the stage do not count, and a pod restart (a counter reset) does not erase flags.
 *
 * <p>The range runs from two scrape intervals ({@link #LEAD_SCRAPES}, {@link MetricsBackend#scrapeInterval}) before
 * {@code status.stageStartedAt} to now, in whole seconds rounded up. A rise, as {@code increase()}, counts only the
 * steps between samples inside its range: a range that began at the stage's start would hold no sample from before it, so the
 * outputs between the stage's start and its first scrape, a critical flag among them, would be lost. One interval back
 * holds the last sample from before the stage when every scrape is on time; the second leaves room for a failed or late
 * scrape and for the seconds between the pass and Prometheus evaluating the queries. The price is that outputs of the
 * same canary version and audience from up to two intervals before the stage count too.
 */
final class LiveOutputs {
    /** Scrape intervals the range reaches before the stage's start. */
    static final int LEAD_SCRAPES = 2;

    /** The label matchers of the canary's series of this release. */
    private static final String CANARY =
            "namespace=\"{{namespace}}\",release=\"{{release}}\",track=\"canary\",version=\"{{canaryVersion}}\"";

    /** Judged outputs: safe or flagged; an output the classifier gave no verdict on ({@code unjudged}) is not one. */
    static final String TOTAL = rise("fledge_model_outputs_total{" + CANARY + ",AUDIENCE,verdict=~\"safe|flagged\"}");
    /** With a classifier of live outputs: the outputs it gave no verdict on. */
    static final String UNJUDGED = rise("fledge_model_outputs_total{" + CANARY + ",AUDIENCE,verdict=\"unjudged\"}");
    /**
     * With a classifier of live outputs: its series, which a model server publishes at 0 from its start only when it
     * judges with the classifier (an older image ignores {@code FLEDGE_GUARD_JUDGE_*} and judges with its word list).
     */
    static final String CLASSIFIER_SERIES = "count(fledge_model_outputs_total{" + CANARY + ",verdict=\"unjudged\"})";

    static final String FLAGGED = rise("fledge_model_outputs_total{" + CANARY + ",AUDIENCE,verdict=\"flagged\"}");

    /**
     * Flagged live outputs of one judge category; {@code CATEGORY} is replaced by the quoted category. In all of these,
     * {@code WINDOW} is replaced by the range and {@code AUDIENCE} by the {@link #audience} matcher before the template
     * is rendered.
     */
    static final String CATEGORY_FLAGS =
            rise("fledge_model_output_flags_total{" + CANARY + ",AUDIENCE,category=\"CATEGORY\"}");

    /**
     * The rise of the counters {@code selector} (an instant selector) over the range {@code WINDOW}, summed: each
     * series' last sample less its first, without the extrapolation of {@code increase()}. That extrapolates a rise to
     * the range's edges, and early in a stage, when the range holds few scrapes, one flag read as two or three: enough
     * for {@code minPublicCriticalFlags}, or to fail the rate rule, with fewer provoked outputs than either needs, and
     * fewer real outputs than {@code minLiveSamples}.
     *
     * <p>A series with no sample at the range's start ({@code offset WINDOW}, within Prometheus' lookback) is new in
     * the range: a canary pod made during the stage (a scale-up, a replaced pod), or an audience's series the Java
     * client made at its first output. It counts from 0, its last sample: the outputs it had before its first scrape,
     * a critical flag among them, were otherwise never counted, as its samples all held them. Only a series whose
     * counter was reset in the range (a restarted container) is counted with {@code increase()}, which sees across the
     * reset and may count a little more.
     */
    static String rise(String selector) {
        return ("sum((max_over_time(SERIES) - min_over_time(SERIES) and resets(SERIES) == 0 and AT_START)"
                        + " or (max_over_time(SERIES) and resets(SERIES) == 0)"
                        + " or (increase(SERIES) and resets(SERIES) > 0))")
                .replace("SERIES", selector + "[WINDOW]")
                .replace("AT_START", selector + " offset WINDOW");
    }

    /**
     * What was read: either {@code problem} (why not), or the evidence and the flags of each critical category over
     * {@code window} (a PromQL duration).
     */
    record Reading(Evidence evidence, Map<String, Long> criticalFlags, String window, String problem, Long unjudged) {
        Reading(Evidence evidence, Map<String, Long> criticalFlags, String window, String problem) {
            this(evidence, criticalFlags, window, problem, null);
        }

        /** The critical categories with at least {@code minimum} flags. */
        Map<String, Long> criticalHits(long minimum) {
            return flags(n -> n >= minimum);
        }

        /** The critical categories with some flags, but fewer than {@code minimum}. */
        Map<String, Long> belowMinimum(long minimum) {
            return flags(n -> n > 0 && n < minimum);
        }

        private Map<String, Long> flags(java.util.function.LongPredicate p) {
            Map<String, Long> hits = new TreeMap<>();
            criticalFlags.forEach((c, n) -> {
                if (p.test(n)) {
                    hits.put(c, n);
                }
            });
            return hits;
        }
    }

    static final String NOT_CLASSIFIED = "the canary's model server counts live outputs without the classifier of"
            + " spec.analysis.safety.judge (its image ignores fledge.guard.judge: use this operator's model server"
            + " version, or turn judge.liveOutputs off)";

    private final MetricsBackend metrics;

    LiveOutputs(MetricsBackend metrics) {
        this.metrics = metrics;
    }

    Reading read(GateContext ctx, List<String> criticalCategories) {
        Optional<Duration> window = window(ctx, metrics.scrapeInterval().multipliedBy(LEAD_SCRAPES));
        if (window.isEmpty()) {
            return new Reading(null, Map.of(), null, "the current stage's start (status.stageStartedAt) is unknown");
        }
        String namespace = ctx.release().getMetadata().getNamespace();
        Map<String, String> vars = MetricGate.variables(ctx);
        String range = window.get().toSeconds() + "s";
        String audience = audience(ctx);
        CounterEvidence live = CounterEvidence.read(
                metrics,
                namespace,
                new QueryTemplate(TOTAL.replace("WINDOW", range).replace("AUDIENCE", audience)).render(vars),
                new QueryTemplate(FLAGGED.replace("WINDOW", range).replace("AUDIENCE", audience)).render(vars));
        if (live.problem() != null) {
            return new Reading(null, Map.of(), range, live.problem());
        }
        Map<String, Long> flags = new TreeMap<>();
        for (String c : criticalCategories) {
            String q = new QueryTemplate(CATEGORY_FLAGS.replace("WINDOW", range).replace("AUDIENCE", audience))
                    .render(vars)
                    .replace("CATEGORY", QueryTemplate.quote(c));
            QueryResult r = metrics.query(namespace, q);
            String bad = r instanceof QueryResult.Unusable u ? u.reason() : CounterEvidence.notACount(r);
            if (bad != null) {
                return new Reading(null, Map.of(), range, "flags of critical category " + c + ": " + bad);
            }
            flags.put(c, r instanceof QueryResult.Value v ? Math.round(v.value()) : 0);
        }
        if (ServingConfig.liveJudge(ctx.release()) == null) {
            return new Reading(live.evidence(), flags, range, null);
        }
        QueryResult series = metrics.query(namespace, new QueryTemplate(CLASSIFIER_SERIES).render(vars));
        QueryResult unjudged = metrics.query(
                namespace,
                new QueryTemplate(UNJUDGED.replace("WINDOW", range).replace("AUDIENCE", audience)).render(vars));
        for (QueryResult r : List.of(series, unjudged)) {
            String bad = r instanceof QueryResult.Unusable u ? u.reason() : CounterEvidence.notACount(r);
            if (bad != null) {
                return new Reading(null, Map.of(), range, "outputs not judged by the classifier: " + bad);
            }
        }
        long notJudged = unjudged instanceof QueryResult.Value v ? Math.round(v.value()) : 0;
        if (series instanceof QueryResult.NoData && live.evidence().samples() + notJudged > 0) {
            return new Reading(null, Map.of(), range, NOT_CLASSIFIED);
        }
        return new Reading(live.evidence(), flags, range, null, notJudged);
    }

    /**
     * The audience label matcher: the stage's audience, or in the shadow stage the audiences whose requests the route
     * mirrors ({@link #mirrored}). The model server labels a mirrored request with the audience its rule set, as any
     * other: what makes it shadow evidence is that in the shadow stage no rule sends a user to the canary (public
     * weight 0, no audience on it), so the canary's only requests of those audiences are mirrored copies; the
     * operator's own suite requests are {@code evaluation} and never counted.
     */
    static String audience(GateContext ctx) {
        if (ctx.stage() != Stage.SHADOW) {
            return "audience=\"{{audience}}\"";
        }
        return "audience=~\"" + String.join("|", mirrored(ctx)) + "\"";
    }

    /**
     * The audiences mirrored in the shadow stage: as {@code status.mirrorFrom} records them (what the route was
     * written with), else as the plan says. Fixed names only ({@code public}, {@code internal}): never tenant text.
     */
    static List<String> mirrored(GateContext ctx) {
        var st = ctx.release().getStatus();
        List<String> from = st != null && st.getMirrorFrom() != null
                ? st.getMirrorFrom()
                : ctx.plan().stage(Stage.SHADOW).map(StagePlan::mirrorFrom).orElse(List.of());
        List<String> known = from.stream()
                .filter(a -> MirrorSource.PUBLIC.wireName().equals(a)
                        || MirrorSource.INTERNAL.wireName().equals(a))
                .sorted()
                .toList();
        return known.isEmpty() ? List.of(MirrorSource.PUBLIC.wireName()) : known;
    }

    /**
     * From {@code lead} (two scrape intervals) before the start of the current stage to now, in whole seconds rounded up
     * (at least one): rounded down, the range could begin after the last sample from before the stage.
     */
    static Optional<Duration> window(GateContext ctx, Duration lead) {
        var st = ctx.release().getStatus();
        if (st == null || st.getStageStartedAt() == null) {
            return Optional.empty();
        }
        try {
            Duration d = Duration.between(Instant.parse(st.getStageStartedAt()), ctx.now())
                    .plus(lead);
            long seconds = d.toSeconds() + (d.toNanosPart() > 0 ? 1 : 0);
            return Optional.of(Duration.ofSeconds(Math.max(1, seconds)));
        } catch (DateTimeParseException e) {
            return Optional.empty();
        }
    }
}
