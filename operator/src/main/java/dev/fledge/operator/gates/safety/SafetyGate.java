package dev.fledge.operator.gates.safety;

import dev.fledge.api.spec.SafetySpec;
import dev.fledge.api.status.GateResult;
import dev.fledge.api.status.Verdict;
import dev.fledge.core.rollout.GateVerdict;
import dev.fledge.core.rollout.GoDuration;
import dev.fledge.core.rollout.PlanResolver;
import dev.fledge.core.rollout.Stage;
import dev.fledge.operator.gates.Gate;
import dev.fledge.operator.gates.GateContext;
import dev.fledge.operator.gates.bayes.BayesAssessment;
import dev.fledge.operator.gates.bayes.BetaPosterior;
import dev.fledge.operator.gates.bayes.Evidence;
import dev.fledge.operator.gates.bayes.RateComparison;
import dev.fledge.operator.gates.bayes.SequentialBayesRule;
import dev.fledge.operator.gates.metric.MetricsBackend;
import io.fabric8.kubernetes.client.KubernetesClientException;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
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
    /** Flagged examples quoted in the reason (and so in the Warning event); the report ConfigMap holds more. */
    static final int EXAMPLES_IN_REASON = 2;

    private final SafetySpec spec;
    private final SafetyCollaborators deps;

    public SafetyGate(SafetySpec spec, SafetyCollaborators deps) {
        this.spec = spec;
        this.deps = deps;
    }

    /** What the safety gate uses, built once per operator. */
    public record SafetyCollaborators(
            SuiteSource suites,
            CanaryEndpoint endpoint,
            Function<String, CanaryModel> models,
            BiFunction<String, Duration, Judge> judges,
            SafetySettings settings,
            EvidenceLedger ledger,
            Optional<MetricsBackend> metrics,
            SafetyReports reports,
            SuiteExecutor executor) {
        /** Suites run on the caller's thread (unit tests of the verdict logic). */
        public SafetyCollaborators(
                SuiteSource suites,
                CanaryEndpoint endpoint,
                Function<String, CanaryModel> models,
                BiFunction<String, Duration, Judge> judges,
                SafetySettings settings,
                EvidenceLedger ledger,
                Optional<MetricsBackend> metrics,
                SafetyReports reports) {
            this(suites, endpoint, models, judges, settings, ledger, metrics, reports, SuiteExecutor.direct());
        }
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
        GateVerdict.Suite suiteRef = null;
        List<GateVerdict.Category> categories = new ArrayList<>();
        String report = null;
        SuiteRounds.Round round = null;
        boolean online = Boolean.TRUE.equals(spec.getOnline()) && ctx.stage() != Stage.PREFLIGHT;
        if (spec.getSuite() != null) {
            Optional<String> ownJudge = Optional.ofNullable(spec.getJudge()).map(j -> j.getUrl());
            Optional<String> judgeUrl = ownJudge.or(() -> deps.settings().defaultJudgeUrl());
            if (judgeUrl.isEmpty()) {
                return inconclusive(
                        "no judge: set spec.analysis.safety.judge.url or the operator's fledge.safety.default-judge-url");
            }
            Optional<String> denied = ownJudge.flatMap(u -> deps.settings()
                    .outbound()
                    .check(u, ctx.release().getMetadata().getNamespace()));
            if (denied.isPresent()) {
                return inconclusive("spec.analysis.safety.judge.url is not allowed: " + denied.get());
            }
            PromptSuite suite;
            try {
                suite = deps.suites()
                        .load(
                                ctx.release().getMetadata().getNamespace(),
                                spec.getSuite().getConfigMapRef());
            } catch (IllegalArgumentException | KubernetesClientException e) {
                return inconclusive("prompt suite unusable: " + e.getMessage());
            }
            suiteRef = new GateVerdict.Suite(
                    suite.name(), suite.hash(), suite.prompts().size());
            if (suite.prompts().size() > deps.settings().limits().maxPrompts()) {
                return inconclusive("suite " + suite.name() + " has "
                                + suite.prompts().size() + " prompts; this operator runs at most "
                                + deps.settings().limits().maxPrompts())
                        .withDetails(suiteRef, null, null);
            }
            String key = key(ctx, suite);
            boolean compare = spec.getStableMargin() != null
                    && ctx.stableVersion() != null
                    && !ctx.stableVersion().equals(ctx.canaryVersion());
            String canaryUrl = deps.endpoint().baseUrl(ctx.release());
            String stableUrl = compare ? deps.endpoint().stableBaseUrl(ctx.release()) : null;
            String judge = judgeUrl.get();
            boolean suffices = rule.assess(deps.ledger().total(key)).verdict() != Verdict.INCONCLUSIVE;
            round = new SuiteRounds(deps.executor())
                    .next(
                            ctx,
                            name(),
                            suite,
                            suffices,
                            () -> new SuiteResults(
                                    runSuite(suite, canaryUrl, judge),
                                    compare ? runSuite(suite, stableUrl, judge) : null));
            if (round instanceof SuiteRounds.Pending p) {
                notes.add(p.note());
            } else {
                SuiteRun run =
                        round instanceof SuiteRounds.Fresh f ? f.results().canary() : null;
                if (run != null && run.errors() > 0) {
                    return inconclusive("suite " + suite.name() + "@" + suite.hash() + ": " + run.errors() + " of "
                                    + suite.prompts().size() + " prompts could not be run or judged: "
                                    + String.join("; ", run.firstErrors()))
                            .withDetails(suiteRef, null, null)
                            .withSuiteRun(round.state());
                }
                String suiteNote;
                if (run != null) {
                    run.byCategory()
                            .forEach((c, e) ->
                                    categories.add(new GateVerdict.Category(c, "suite", e.samples(), e.flagged())));
                    List<String> critical = criticalHits(run.flags());
                    Evidence total = critical.isEmpty()
                            ? deps.ledger().addOnce(key, ((SuiteRounds.Fresh) round).runId(), run.evidence())
                            : run.evidence();
                    String reportNote;
                    try {
                        report = deps.reports().publish(ctx.release(), SafetyReport.of(ctx, run, total));
                        reportNote = "; report in ConfigMap " + report;
                    } catch (SafetyReports.ReportNotWritten e) {
                        reportNote = run.examples().isEmpty() ? "" : "; report not written: " + e.getMessage();
                    }
                    suiteNote = "suite " + suite.name() + "@" + suite.hash() + " " + summary(run) + reportNote;
                    if (!critical.isEmpty()) {
                        BayesAssessment a = rule.assess(run.evidence());
                        return verdict(Verdict.FAIL, "critical category " + critical + " flagged; " + suiteNote, a)
                                .asCritical()
                                .withDetails(suiteRef, categories, report)
                                .withSuiteRun(round.state());
                    }
                    evidence = total;
                } else {
                    // this stage's runs were counted and settle the suite evidence: no run now (docs/architecture.md)
                    GateResult last = SuiteRounds.previousResult(ctx.release().getStatus(), name());
                    lastCategories(last).forEach(categories::add);
                    report = last == null ? null : last.getReport();
                    evidence = deps.ledger().total(key);
                    suiteNote = "suite " + suite.name() + "@" + suite.hash() + ": "
                            + round.state().runs() + " run(s) counted in this stage";
                }
                notes.add(suiteNote
                        + (run == null || evidence.samples() > run.evidence().samples()
                                ? " (" + evidence.samples() + " judged in this rollout)"
                                : ""));
                if (compare) {
                    SuiteRun stable = run == null
                            ? null
                            : ((SuiteRounds.Fresh) round).results().stable();
                    if (stable != null && stable.errors() > 0) {
                        return inconclusive("suite against stable " + ctx.stableVersion() + ": " + stable.errors()
                                        + " of " + suite.prompts().size() + " prompts could not be run or judged: "
                                        + String.join("; ", stable.firstErrors()))
                                .withDetails(suiteRef, categories, report)
                                .withSuiteRun(round.state());
                    }
                    String stableKey = key + "@stable:" + ctx.stableVersion();
                    Evidence stableTotal = stable == null
                            ? deps.ledger().total(stableKey)
                            : deps.ledger().addOnce(stableKey, ((SuiteRounds.Fresh) round).runId(), stable.evidence());
                    var policy = rule.policy();
                    double pWorse = new RateComparison(
                                    BetaPosterior.of(policy.priorAlpha(), policy.priorBeta(), evidence),
                                    BetaPosterior.of(policy.priorAlpha(), policy.priorBeta(), stableTotal))
                            .probabilityCanaryAbove(spec.getStableMargin());
                    String cmp = String.format(
                            Locale.ROOT,
                            "stable %s %d/%d flagged, P(canary > stable + %s)=%.4f",
                            ctx.stableVersion(),
                            stableTotal.flagged(),
                            stableTotal.samples(),
                            spec.getStableMargin(),
                            pWorse);
                    if (pWorse >= policy.confidence()) {
                        return verdict(
                                        Verdict.FAIL,
                                        "canary is worse than stable: " + cmp + "; " + suiteNote,
                                        rule.assess(evidence))
                                .withDetails(suiteRef, categories, report)
                                .withSuiteRun(round.state());
                    }
                    notes.add(cmp);
                }
            }
        }
        GateVerdict.SuiteRun runState = round == null ? null : round.state();
        if (online) {
            if (deps.metrics().isEmpty()) {
                return inconclusive("online: true needs Prometheus (fledge.prometheus.url)")
                        .withDetails(suiteRef, categories, report)
                        .withSuiteRun(runState);
            }
            LiveOutputs.Reading live = new LiveOutputs(deps.metrics().get()).read(ctx, criticalCategories());
            if (live.problem() != null) {
                return inconclusive("online evidence unavailable: " + live.problem())
                        .withDetails(suiteRef, categories, report)
                        .withSuiteRun(runState);
            }
            live.criticalFlags().forEach((c, n) -> categories.add(new GateVerdict.Category(c, "online", null, n)));
            evidence = evidence.plus(live.evidence());
            String liveNote = "live " + live.evidence().flagged() + "/"
                    + live.evidence().samples() + " flagged (" + ctx.audience() + ")";
            Map<String, Long> hits = live.criticalHits();
            if (!hits.isEmpty()) {
                notes.add(0, liveNote + ", critical flags " + hits);
                return verdict(
                                Verdict.FAIL,
                                "critical category " + List.copyOf(hits.keySet()) + " flagged in live outputs; "
                                        + String.join("; ", notes),
                                rule.assess(evidence))
                        .asCritical()
                        .withDetails(suiteRef, categories, report)
                        .withSuiteRun(runState);
            }
            notes.add(liveNote);
        }
        if (round instanceof SuiteRounds.Pending) {
            // a critical live flag above does not wait for the suite; a pass does
            return inconclusive(String.join("; ", notes) + "; no verdict before the suite run ends")
                    .withDetails(suiteRef, categories, report)
                    .withSuiteRun(runState);
        }
        BayesAssessment a = rule.assess(evidence);
        return verdict(a.verdict(), String.join("; ", notes) + "; " + a.reason(), a)
                .withDetails(suiteRef, categories, report)
                .withSuiteRun(runState);
    }

    private SuiteRun runSuite(PromptSuite suite, String baseUrl, String judgeUrl) {
        var s = spec.getSuite();
        SafetyLimits limits = deps.settings().limits();
        Duration promptTimeout =
                limits.promptTimeout(GoDuration.parseOr(s.getTimeout(), SafetySettings.DEFAULT_PROMPT_TIMEOUT));
        Duration judgeTimeout = limits.judgeTimeout(GoDuration.parseOr(
                spec.getJudge() == null ? null : spec.getJudge().getTimeout(), SafetySettings.DEFAULT_JUDGE_TIMEOUT));
        int concurrency = limits.concurrency(
                s.getConcurrency() == null ? SafetySettings.DEFAULT_CONCURRENCY : s.getConcurrency());
        return new SuiteRunner(concurrency, promptTimeout.plus(judgeTimeout))
                .run(suite, deps.models().apply(baseUrl), deps.judges().apply(judgeUrl, judgeTimeout));
    }

    private static List<GateVerdict.Category> lastCategories(GateResult last) {
        if (last == null || last.getCategories() == null) {
            return List.of();
        }
        return last.getCategories().stream()
                .filter(c -> "suite".equals(c.getSource()))
                .map(c -> new GateVerdict.Category(
                        c.getName(), c.getSource(), c.getSamples(), c.getFlagged() == null ? 0 : c.getFlagged()))
                .toList();
    }

    private List<String> criticalHits(Map<String, Long> flags) {
        return flags.keySet().stream().filter(criticalCategories()::contains).toList();
    }

    private List<String> criticalCategories() {
        return spec.getCriticalCategories() == null ? List.of() : spec.getCriticalCategories();
    }

    private static String key(GateContext ctx, PromptSuite suite) {
        return ctx.release().getMetadata().getNamespace() + "/"
                + ctx.release().getMetadata().getName() + "@" + ctx.canaryVersion() + "#" + suite.name() + "@"
                + suite.hash();
    }

    private static String summary(SuiteRun run) {
        String cats = run.byCategory().entrySet().stream()
                .map(e -> e.getKey() + " " + e.getValue().flagged() + "/"
                        + e.getValue().samples())
                .collect(Collectors.joining(", "));
        String flags = run.flags().isEmpty() ? "" : "; flags " + run.flags();
        String ex = run.examples().isEmpty()
                ? ""
                : "; first flagged: "
                        + run.examples().stream()
                                .limit(EXAMPLES_IN_REASON)
                                .map(FlaggedExample::line)
                                .collect(Collectors.joining(" | "));
        return run.evidence().flagged() + "/" + run.evidence().samples() + " flagged (" + cats + ")" + flags + ex;
    }

    private GateVerdict inconclusive(String why) {
        return GateVerdict.inconclusive(name(), KIND, why);
    }

    private GateVerdict verdict(Verdict v, String reason, BayesAssessment a) {
        return new GateVerdict(
                name(),
                KIND,
                v,
                false,
                reason,
                null,
                a.evidence().samples(),
                a.evidence().flagged(),
                a.posteriorMean(),
                a.upperBound(),
                a.pAboveMax());
    }
}
