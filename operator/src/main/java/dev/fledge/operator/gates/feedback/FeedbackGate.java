package dev.fledge.operator.gates.feedback;

import dev.fledge.api.spec.FeedbackSpec;
import dev.fledge.core.rollout.GateVerdict;
import dev.fledge.core.rollout.PlanResolver;
import dev.fledge.operator.gates.Gate;
import dev.fledge.operator.gates.GateContext;
import dev.fledge.operator.gates.bayes.BayesAssessment;
import dev.fledge.operator.gates.bayes.BayesPolicy;
import dev.fledge.operator.gates.bayes.SequentialBayesRule;
import dev.fledge.operator.gates.metric.CounterEvidence;
import dev.fledge.operator.gates.metric.MetricGate;
import dev.fledge.operator.gates.metric.MetricsBackend;
import dev.fledge.operator.gates.metric.QueryTemplate;
import java.util.Map;

/**
 * The feedback gate: the {@link SequentialBayesRule} on the negative share of {@code fledge_model_feedback_total}
 * for the canary version and the current audience. Indifference zone [maxNegativeRate / 2, maxNegativeRate],
 * uniform Beta(1, 1) prior, confidence default 0.9.
 */
public final class FeedbackGate implements Gate {
    static final double DEFAULT_CONFIDENCE = 0.9;
    static final String TOTAL =
            "sum(fledge_model_feedback_total{namespace=\"{{namespace}}\",release=\"{{release}}\",version=\"{{canaryVersion}}\",audience=\"{{audience}}\"})";
    static final String NEGATIVE =
            "sum(fledge_model_feedback_total{namespace=\"{{namespace}}\",release=\"{{release}}\",version=\"{{canaryVersion}}\",audience=\"{{audience}}\",rating=\"negative\"})";

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

    @Override
    public GateVerdict evaluate(GateContext ctx) {
        if (spec.getMaxNegativeRate() == null) {
            return GateVerdict.inconclusive(name(), FeedbackGates.KIND, "no maxNegativeRate");
        }
        String namespace = ctx.release().getMetadata().getNamespace();
        Map<String, String> vars = MetricGate.variables(ctx);
        CounterEvidence c = CounterEvidence.read(
                metrics, namespace, new QueryTemplate(TOTAL).render(vars), new QueryTemplate(NEGATIVE).render(vars));
        if (c.problem() != null) {
            return GateVerdict.inconclusive(name(), FeedbackGates.KIND, "feedback counts unavailable: " + c.problem());
        }
        BayesAssessment a = new SequentialBayesRule(policy(spec)).assess(c.evidence());
        return new GateVerdict(
                name(),
                FeedbackGates.KIND,
                a.verdict(),
                false,
                "negative ratings (" + ctx.audience() + "): " + a.reason(),
                null,
                a.evidence().samples(),
                a.evidence().flagged(),
                a.posteriorMean(),
                a.upperBound(),
                a.pAboveMax());
    }
}
