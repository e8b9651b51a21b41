package dev.fledge.operator.gates.safety;

import dev.fledge.api.ModelRelease;
import dev.fledge.api.spec.SafetySpec;
import dev.fledge.api.status.Verdict;
import dev.fledge.operator.gates.Gate;
import dev.fledge.operator.gates.GateContext;
import dev.fledge.operator.gates.bayes.BayesAssessment;
import dev.fledge.operator.gates.bayes.BetaPosterior;
import dev.fledge.operator.gates.bayes.RateComparison;
import dev.fledge.operator.gates.bayes.Evidence;
import dev.fledge.operator.gates.bayes.SequentialBayesRule;
import dev.fledge.operator.gates.metric.CounterEvidence;
import dev.fledge.operator.gates.metric.MetricsBackend;
import dev.fledge.operator.gates.metric.QueryTemplate;
import dev.fledge.operator.rollout.GateVerdict;
import dev.fledge.operator.rollout.GoDuration;
import dev.fledge.operator.rollout.PlanResolver;
import dev.fledge.operator.rollout.StagePlan;

import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.function.BiFunction;
import java.util.function.Function;
import java.util.stream.Collectors;

/**
 * The safety gate: the red-team suite run against the canary and judged (offline), plus flagged live outputs from
 * the model server's metrics (online), weighed by the {@link SequentialBayesRule}. A flag in a critical category is
 * a critical failure. A judge or canary that fails, or a metrics backend that is down, gives Inconclusive.
 */
public final class SafetyGate implements Gate {
    public static final String KIND = "safety";
    static final String ONLINE_TOTAL = "sum(fledge_model_outputs_total{release=\"{{release}}\",version=\"{{canaryVersion}}\",audience=\"{{audience}}\"})";
    static final String ONLINE_FLAGGED = "sum(fledge_model_outputs_total{release=\"{{release}}\",version=\"{{canaryVersion}}\",audience=\"{{audience}}\",verdict=\"flagged\"})";

    private final SafetySpec spec;
    private final SafetyCollaborators deps;

    public SafetyGate(SafetySpec spec, SafetyCollaborators deps) {
        this.spec = spec;
        this.deps = deps;
    }

    /** What the safety gate uses, built once per operator. */
    public record SafetyCollaborators(SuiteSource suites, CanaryEndpoint endpoint, Function<String, CanaryModel> models,
            BiFunction<String, java.time.Duration, Judge> judges, SafetySettings settings, EvidenceLedger ledger,
            Optional<MetricsBackend> metrics) {
    }

    @Override
    public String name() {
        return PlanResolver.SAFETY_GATE;
    }

    @Override
    public GateVerdict evaluate(GateContext ctx) {
        SequentialBayesRule rule = new SequentialBayesRule(SafetyPolicies.of(spec));
        Evidence evidence = Evidence.none();
        List<String> notes = new ArrayList<>();
        boolean online = Boolean.TRUE.equals(spec.getOnline()) && !StagePlan.PREFLIGHT.equals(ctx.stage());
        if (spec.getSuite() != null) {
            Optional<String> judgeUrl = Optional.ofNullable(spec.getJudge()).map(j -> j.getUrl()).or(() -> deps.settings().defaultJudgeUrl());
            if (judgeUrl.isEmpty()) {
                return inconclusive("no judge: set spec.analysis.safety.judge.url or the operator's fledge.safety.default-judge-url");
            }
            PromptSuite suite;
            try {
                suite = deps.suites().load(ctx.release().getMetadata().getNamespace(), spec.getSuite().getConfigMapRef());
            } catch (IllegalArgumentException | io.fabric8.kubernetes.client.KubernetesClientException e) {
                return inconclusive("prompt suite unusable: " + e.getMessage());
            }
            SuiteRun run = runSuite(suite, deps.endpoint().baseUrl(ctx.release()), judgeUrl.get());
            if (run.errors() > 0) {
                return inconclusive("suite " + suite.name() + "@" + suite.hash() + ": " + run.errors() + " of "
                        + suite.prompts().size() + " prompts could not be run or judged: " + String.join("; ", run.firstErrors()));
            }
            List<String> critical = criticalHits(run.flags());
            String suiteNote = "suite " + suite.name() + "@" + suite.hash() + " " + summary(run);
            if (!critical.isEmpty()) {
                Evidence runEvidence = run.evidence();
                BayesAssessment a = rule.assess(runEvidence);
                return verdict(Verdict.FAIL, "critical category " + critical + " flagged; " + suiteNote, a).asCritical();
            }
            evidence = deps.ledger().add(key(ctx, suite), run.evidence());
            notes.add(suiteNote + (evidence.samples() > run.evidence().samples() ? " (" + evidence.samples() + " judged in this rollout)" : ""));
            if (spec.getStableMargin() != null && ctx.stableVersion() != null && !ctx.stableVersion().equals(ctx.canaryVersion())) {
                SuiteRun stable = runSuite(suite, deps.endpoint().stableBaseUrl(ctx.release()), judgeUrl.get());
                if (stable.errors() > 0) {
                    return inconclusive("suite against stable " + ctx.stableVersion() + ": " + stable.errors() + " of "
                            + suite.prompts().size() + " prompts could not be run or judged: " + String.join("; ", stable.firstErrors()));
                }
                Evidence stableTotal = deps.ledger().add(key(ctx, suite) + "@stable:" + ctx.stableVersion(), stable.evidence());
                var policy = rule.policy();
                double pWorse = new RateComparison(BetaPosterior.of(policy.priorAlpha(), policy.priorBeta(), evidence),
                        BetaPosterior.of(policy.priorAlpha(), policy.priorBeta(), stableTotal)).probabilityCanaryAbove(spec.getStableMargin());
                String cmp = String.format(java.util.Locale.ROOT, "stable %s %d/%d flagged, P(canary > stable + %s)=%.4f",
                        ctx.stableVersion(), stableTotal.flagged(), stableTotal.samples(), spec.getStableMargin(), pWorse);
                if (pWorse >= policy.confidence()) {
                    return verdict(Verdict.FAIL, "canary is worse than stable: " + cmp + "; " + suiteNote, rule.assess(evidence));
                }
                notes.add(cmp);
            }
        }
        if (online) {
            if (deps.metrics().isEmpty()) {
                return inconclusive("online: true needs Prometheus (fledge.prometheus.url)");
            }
            Map<String, String> vars = Map.of("release", ctx.release().getMetadata().getName(),
                    "canaryVersion", ctx.canaryVersion() == null ? ctx.plan().version() : ctx.canaryVersion(),
                    "audience", ctx.audience() == null ? "" : ctx.audience());
            CounterEvidence live = CounterEvidence.read(deps.metrics().get(), new QueryTemplate(ONLINE_TOTAL).render(vars),
                    new QueryTemplate(ONLINE_FLAGGED).render(vars));
            if (live.problem() != null) {
                return inconclusive("online evidence unavailable: " + live.problem());
            }
            evidence = evidence.plus(live.evidence());
            notes.add("live " + live.evidence().flagged() + "/" + live.evidence().samples() + " flagged (" + ctx.audience() + ")");
        }
        BayesAssessment a = rule.assess(evidence);
        return verdict(a.verdict(), String.join("; ", notes) + "; " + a.reason(), a);
    }

    private SuiteRun runSuite(PromptSuite suite, String baseUrl, String judgeUrl) {
        var s = spec.getSuite();
        java.time.Duration promptTimeout = GoDuration.parseOr(s.getTimeout(), SafetySettings.DEFAULT_PROMPT_TIMEOUT);
        java.time.Duration judgeTimeout = GoDuration.parseOr(spec.getJudge() == null ? null : spec.getJudge().getTimeout(),
                SafetySettings.DEFAULT_JUDGE_TIMEOUT);
        int concurrency = s.getConcurrency() == null ? SafetySettings.DEFAULT_CONCURRENCY : s.getConcurrency();
        return new SuiteRunner(concurrency, promptTimeout.plus(judgeTimeout))
                .run(suite, deps.models().apply(baseUrl), deps.judges().apply(judgeUrl, judgeTimeout));
    }

    private List<String> criticalHits(Map<String, Long> flags) {
        List<String> critical = spec.getCriticalCategories() == null ? List.of() : spec.getCriticalCategories();
        return flags.keySet().stream().filter(critical::contains).toList();
    }

    private static String key(GateContext ctx, PromptSuite suite) {
        return ctx.release().getMetadata().getNamespace() + "/" + ctx.release().getMetadata().getName() + "@"
                + ctx.canaryVersion() + "#" + suite.name() + "@" + suite.hash();
    }

    private static String summary(SuiteRun run) {
        String cats = run.byCategory().entrySet().stream()
                .map(e -> e.getKey() + " " + e.getValue().flagged() + "/" + e.getValue().samples()).collect(Collectors.joining(", "));
        String flags = run.flags().isEmpty() ? "" : "; flags " + run.flags();
        String ex = run.examples().isEmpty() ? "" : "; first flagged: " + String.join(" | ", run.examples());
        return run.evidence().flagged() + "/" + run.evidence().samples() + " flagged (" + cats + ")" + flags + ex;
    }

    private GateVerdict inconclusive(String why) {
        return GateVerdict.inconclusive(name(), KIND, why);
    }

    private GateVerdict verdict(Verdict v, String reason, BayesAssessment a) {
        return new GateVerdict(name(), KIND, v, false, reason, null, a.evidence().samples(), a.evidence().flagged(),
                a.posteriorMean(), a.upperBound(), a.pAboveMax());
    }
}
