package dev.fledge.operator.gates.safety;

import dev.fledge.api.spec.MirrorSource;
import dev.fledge.api.status.ModelReleaseStatus;
import dev.fledge.api.status.StageRecord;
import dev.fledge.core.rollout.Stage;
import dev.fledge.core.rollout.StagePlan;
import dev.fledge.operator.gates.GateContext;
import dev.fledge.operator.gates.bayes.Evidence;
import dev.fledge.operator.gates.metric.CounterEvidence;
import dev.fledge.operator.gates.metric.CounterRise;
import dev.fledge.operator.gates.metric.MetricGate;
import dev.fledge.operator.gates.metric.MetricsBackend;
import dev.fledge.operator.gates.metric.QueryResult;
import dev.fledge.operator.gates.metric.QueryTemplate;
import dev.fledge.operator.workload.ServingConfig;
import java.time.Instant;
import java.time.format.DateTimeParseException;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.Optional;
import java.util.TreeMap;

/**
 * The online evidence of the safety gate, from the model server's metrics for the canary version and the current
 * audience (in the shadow stage: the mirrored audiences, {@link #audience}): outputs judged and flagged ({@code
 * fledge_model_outputs_total}) and the flags of each critical category ({@code
 * fledge_model_output_flags_total{category}}), each as the counters' rise over the current stage ({@link CounterRise#of}). So
 * outputs from long before the stage do not count, and a pod restart (a counter reset) does not erase flags.
 *
 * <p>The range runs from two scrape intervals ({@link CounterRise#LEAD_SCRAPES}, {@link
 * MetricsBackend#scrapeInterval}) before the stage was entered ({@link #stageEnteredAt}) to now ({@link
 * CounterRise#range}): so the outputs between the stage's entry and its first scrape, a critical flag among them,
 * count. The price is that outputs of the same canary version and audience from up to two intervals before the stage
 * count too. Keyed on the entry, not on {@code status.stageStartedAt}: a stage starts only once its routes carry it,
 * and outputs users got while it waited (a route accepted by one Gateway of two, say) are the canary's answers too; a
 * critical flag among them must not fall between two windows (review of the stage wait, HIGH).
 */
final class LiveOutputs {
    /** The label matchers of the canary's series of this release. */
    private static final String CANARY =
            "namespace=\"{{namespace}}\",release=\"{{release}}\",track=\"canary\",version=\"{{canaryVersion}}\"";

    /** Judged outputs: safe or flagged; an output the classifier gave no verdict on ({@code unjudged}) is not one. */
    static final String TOTAL =
            CounterRise.of("fledge_model_outputs_total{" + CANARY + ",AUDIENCE,verdict=~\"safe|flagged\"}");
    /** With a classifier of live outputs: the outputs it gave no verdict on. */
    static final String UNJUDGED =
            CounterRise.of("fledge_model_outputs_total{" + CANARY + ",AUDIENCE,verdict=\"unjudged\"}");
    /**
     * With a classifier of live outputs: its series, which a model server publishes at 0 from its start only when it
     * judges with the classifier (an older image ignores {@code FLEDGE_GUARD_JUDGE_*} and judges with its word list).
     */
    static final String CLASSIFIER_SERIES = "count(fledge_model_outputs_total{" + CANARY + ",verdict=\"unjudged\"})";

    static final String FLAGGED =
            CounterRise.of("fledge_model_outputs_total{" + CANARY + ",AUDIENCE,verdict=\"flagged\"}");

    /**
     * Flagged live outputs of one judge category; {@code CATEGORY} is replaced by the quoted category. In all of these,
     * {@code WINDOW} is replaced by the range and {@code AUDIENCE} by the {@link #audience} matcher before the template
     * is rendered.
     */
    static final String CATEGORY_FLAGS =
            CounterRise.of("fledge_model_output_flags_total{" + CANARY + ",AUDIENCE,category=\"CATEGORY\"}");

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

    /**
     * When the current stage was entered: its open record in {@code status.history} (this stage, the canary version,
     * not left), else {@code status.stageStartedAt} (a status without that record); the earlier of the two, so the
     * window never starts after the stage's start.
     */
    static String stageEnteredAt(ModelReleaseStatus st) {
        if (st == null) {
            return null;
        }
        String started = st.getStageStartedAt();
        Optional<String> entered = Optional.ofNullable(st.getHistory()).stream()
                .flatMap(List::stream)
                .filter(r -> r.getLeftAt() == null
                        && r.getEnteredAt() != null
                        && Objects.equals(r.getStage(), st.getStage())
                        && Objects.equals(r.getVersion(), st.getCanaryVersion()))
                .map(StageRecord::getEnteredAt)
                .reduce((first, last) -> last);
        if (entered.isEmpty() || started == null) {
            return entered.orElse(started);
        }
        try {
            return Instant.parse(entered.get()).isBefore(Instant.parse(started)) ? entered.get() : started;
        } catch (DateTimeParseException e) {
            return started;
        }
    }

    Reading read(GateContext ctx, List<String> criticalCategories) {
        var st = ctx.release().getStatus();
        Optional<String> window = CounterRise.range(stageEnteredAt(st), ctx.now(), metrics.scrapeInterval());
        if (window.isEmpty()) {
            return new Reading(null, Map.of(), null, "the current stage's start (status.stageStartedAt) is unknown");
        }
        String namespace = ctx.release().getMetadata().getNamespace();
        Map<String, String> vars = MetricGate.variables(ctx);
        String range = window.get();
        String audience = audience(ctx);
        Instant at = metrics.now(namespace);
        CounterEvidence live = CounterEvidence.read(
                metrics,
                namespace,
                new QueryTemplate(TOTAL.replace("WINDOW", range).replace("AUDIENCE", audience)).render(vars),
                new QueryTemplate(FLAGGED.replace("WINDOW", range).replace("AUDIENCE", audience)).render(vars),
                at);
        if (live.problem() != null) {
            return new Reading(null, Map.of(), range, live.problem());
        }
        Map<String, Long> flags = new TreeMap<>();
        for (String c : criticalCategories) {
            String q = new QueryTemplate(CATEGORY_FLAGS.replace("WINDOW", range).replace("AUDIENCE", audience))
                    .render(vars)
                    .replace("CATEGORY", QueryTemplate.quote(c));
            QueryResult r = metrics.query(namespace, q, at);
            String bad = r instanceof QueryResult.Unusable u ? u.reason() : CounterEvidence.notACount(r);
            if (bad != null) {
                return new Reading(null, Map.of(), range, "flags of critical category " + c + ": " + bad);
            }
            flags.put(c, r instanceof QueryResult.Value v ? Math.round(v.value()) : 0);
        }
        if (ServingConfig.liveJudge(ctx.release()) == null) {
            return new Reading(live.evidence(), flags, range, null);
        }
        QueryResult series = metrics.query(namespace, new QueryTemplate(CLASSIFIER_SERIES).render(vars), at);
        QueryResult unjudged = metrics.query(
                namespace,
                new QueryTemplate(UNJUDGED.replace("WINDOW", range).replace("AUDIENCE", audience)).render(vars),
                at);
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
}
