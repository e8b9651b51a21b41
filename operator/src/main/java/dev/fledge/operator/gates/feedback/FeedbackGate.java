package dev.fledge.operator.gates.feedback;

import dev.fledge.api.spec.FeedbackAudience;
import dev.fledge.api.spec.FeedbackSpec;
import dev.fledge.core.rollout.GateVerdict;
import dev.fledge.core.rollout.PlanResolver;
import dev.fledge.operator.gates.Gate;
import dev.fledge.operator.gates.GateContext;
import dev.fledge.operator.gates.bayes.BayesAssessment;
import dev.fledge.operator.gates.bayes.BayesPolicy;
import dev.fledge.operator.gates.bayes.SequentialBayesRule;
import dev.fledge.operator.gates.metric.CounterEvidence;
import dev.fledge.operator.gates.metric.CounterRise;
import dev.fledge.operator.gates.metric.MetricGate;
import dev.fledge.operator.gates.metric.MetricsBackend;
import dev.fledge.operator.gates.metric.QueryTemplate;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;

/**
 * The feedback gate: the {@link SequentialBayesRule} on the negative share of {@code fledge_model_feedback_total}
 * for the canary version since the rollout began. Indifference zone [maxNegativeRate / 2, twice maxNegativeRate]
 * (halfway to 1 when twice would reach 1), uniform Beta(1, 1) prior, confidence default 0.9.
 *
 * <p>Whose ratings count: the current audience's when it is one of {@code trustedAudiences} (default internal and
 * closed); otherwise (the public stage, by default) the trusted audiences' together, who stay on the canary from
 * their own stage on. Anonymous public ratings never count unless {@code public} is listed: anyone can send them.
 */
public final class FeedbackGate implements Gate {
    static final double DEFAULT_CONFIDENCE = 0.9;
    static final List<FeedbackAudience> DEFAULT_TRUSTED = List.of(FeedbackAudience.INTERNAL, FeedbackAudience.CLOSED);
    /**
     * Selected by version, not by {@code track}: any pod of the release accepts a signed response id and counts the
     * rating under the version that served it, with the receiving pod's track (at a public weight between 0 and 100
     * the public Service selects both tracks). So in a rollout of a configuration alone at the same version, the
     * ratings of both tracks pool here (docs/architecture.md). Counted as the counters' rise over the rollout
     * ({@link CounterRise}): a restarted pod (its counters reset) keeps its ratings, and a stable pod at the same
     * version counts only what it got since the rollout began.
     */
    static final String TOTAL = CounterRise.of(
            "fledge_model_feedback_total{namespace=\"{{namespace}}\",release=\"{{release}}\",version=\"{{canaryVersion}}\",audience=~\"{{audience}}\"}");

    static final String NEGATIVE = CounterRise.of(
            "fledge_model_feedback_total{namespace=\"{{namespace}}\",release=\"{{release}}\",version=\"{{canaryVersion}}\",audience=~\"{{audience}}\",rating=\"negative\"}");

    private final FeedbackSpec spec;
    private final MetricsBackend metrics;

    public FeedbackGate(FeedbackSpec spec, MetricsBackend metrics) {
        this.spec = spec;
        this.metrics = metrics;
    }

    @Override
    public String name() {
        return PlanResolver.FEEDBACK_GATE;
    }

    static BayesPolicy policy(FeedbackSpec s) {
        double max = s.getMaxNegativeRate();
        return new BayesPolicy(
                max,
                max / 2,
                BayesPolicy.harmfulFor(max),
                s.getConfidence() == null ? DEFAULT_CONFIDENCE : s.getConfidence(),
                1,
                1,
                BayesPolicy.DEFAULT_MISS_AT_HARMFUL);
    }

    /** The audiences whose ratings count in a stage of {@code audience}. */
    List<String> counted(String audience) {
        List<String> trusted = (spec.getTrustedAudiences() == null
                                || spec.getTrustedAudiences().isEmpty()
                        ? DEFAULT_TRUSTED
                        : spec.getTrustedAudiences())
                .stream().map(FeedbackAudience::wireName).distinct().toList();
        return trusted.contains(audience) ? List.of(audience) : trusted;
    }

    @Override
    public GateVerdict evaluate(GateContext ctx) {
        if (spec.getMaxNegativeRate() == null) {
            return GateVerdict.inconclusive(name(), FeedbackGates.KIND, "no maxNegativeRate");
        }
        String namespace = ctx.release().getMetadata().getNamespace();
        List<String> counted = counted(ctx.audience());
        Map<String, String> vars = new HashMap<>(MetricGate.variables(ctx));
        // the audiences counted, as a regex alternation of fixed names (never the stage's own string otherwise)
        vars.put("audience", String.join("|", counted));
        var st = ctx.release().getStatus();
        Optional<String> window =
                CounterRise.range(st == null ? null : st.getRolloutStartedAt(), ctx.now(), metrics.scrapeInterval());
        if (window.isEmpty()) {
            return GateVerdict.inconclusive(
                    name(), FeedbackGates.KIND, "the rollout's start (status.rolloutStartedAt) is unknown");
        }
        String range = window.get();
        CounterEvidence c = CounterEvidence.read(
                metrics,
                namespace,
                new QueryTemplate(TOTAL.replace("WINDOW", range)).render(vars),
                new QueryTemplate(NEGATIVE.replace("WINDOW", range)).render(vars),
                metrics.now(namespace));
        if (c.problem() != null) {
            return GateVerdict.inconclusive(name(), FeedbackGates.KIND, "feedback counts unavailable: " + c.problem());
        }
        BayesAssessment a = new SequentialBayesRule(policy(spec)).assess(c.evidence());
        return new GateVerdict(
                name(),
                FeedbackGates.KIND,
                a.verdict(),
                false,
                "negative ratings (" + String.join(", ", counted)
                        + (counted.contains(ctx.audience()) ? "" : "; " + ctx.audience() + " feedback not trusted")
                        + "): " + a.reason(),
                null,
                a.evidence().samples(),
                a.evidence().flagged(),
                a.posteriorMean(),
                a.upperBound(),
                a.pAboveMax());
    }
}
