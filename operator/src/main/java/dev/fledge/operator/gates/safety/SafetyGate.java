package dev.fledge.operator.gates.safety;

import dev.fledge.api.spec.JudgeSpec;
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
import dev.fledge.operator.workload.LiveJudgeEnv;
import dev.fledge.operator.workload.ServingConfig;
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
            Judges judges,
            SafetySettings settings,
            Optional<MetricsBackend> metrics,
            SafetyReports reports,
            SuiteExecutor executor,
            Optional<LiveReader> live) {
        /** The online evidence read on the caller's thread. */
        public SafetyCollaborators(
                SuiteSource suites,
                CanaryEndpoint endpoint,
                Function<String, CanaryModel> models,
                Judges judges,
                SafetySettings settings,
                Optional<MetricsBackend> metrics,
                SafetyReports reports,
                SuiteExecutor executor) {
            this(
                    suites,
                    endpoint,
                    models,
                    judges,
                    settings,
                    metrics,
                    reports,
                    executor,
                    metrics.map(LiveReader::direct));
        }

        /** Suites run on the caller's thread (unit tests of the verdict logic). */
        public SafetyCollaborators(
                SuiteSource suites,
                CanaryEndpoint endpoint,
                Function<String, CanaryModel> models,
                Judges judges,
                SafetySettings settings,
                Optional<MetricsBackend> metrics,
                SafetyReports reports) {
            this(suites, endpoint, models, judges, settings, metrics, reports, SuiteExecutor.direct());
        }

        /** As above, with moderation judges only ({@link Judges#moderationOnly}). */
        public SafetyCollaborators(
                SuiteSource suites,
                CanaryEndpoint endpoint,
                Function<String, CanaryModel> models,
                BiFunction<String, Duration, Judge> judges,
                SafetySettings settings,
                Optional<MetricsBackend> metrics,
                SafetyReports reports) {
            this(suites, endpoint, models, Judges.moderationOnly(judges), settings, metrics, reports);
        }
    }

    @Override
    public String name() {
        return PlanResolver.SAFETY_GATE;
    }

    /**
     * The suite evidence of this rollout comes from status and goes back into it with the verdict
     * ({@link RolloutEvidence}); {@code status.gates[].suiteRun} records which run was counted last, so that a run's
     * evidence is added once ({@link SuiteRounds}).
     */
    @Override
    public GateVerdict evaluate(GateContext ctx) {
        RolloutEvidence rollout = RolloutEvidence.of(ctx, name());
        GateVerdict v = evaluate(ctx, rollout);
        if (v.suiteRun() == null) {
            // no suite this time (e.g. no judge): keep the record of the counted runs with the evidence they counted
            v = v.withSuiteRun(SuiteRounds.recorded(ctx.release().getStatus(), name()));
        }
        var tallies = rollout.tallies();
        return tallies == null ? v : v.withEvidence(tallies);
    }

    /**
     * Why live outputs cannot be judged by the release's classifier ({@link ServingConfig#liveJudge}): a category
     * mapping the operator refuses (the pods then judge with the word list, whose counts must not pass the gate); null
     * when they can, or when the word list is what the release has.
     */
    private String liveJudgeProblem() {
        JudgeSpec judge = ServingConfig.liveJudge(spec);
        if (judge == null) {
            return null;
        }
        String problem = LiveJudgeEnv.problem(judge);
        return problem == null
                ? null
                : "spec.analysis.safety." + problem + " (the model pods judge live outputs with the word list until"
                        + " it is fixed)";
    }

    /** With a classifier of live outputs: above this share of outputs without a verdict, no verdict is given. */
    static final double MAX_UNJUDGED_SHARE = 0.05;

    private GateVerdict evaluate(GateContext ctx, RolloutEvidence rollout) {
        SequentialBayesRule rule = new SequentialBayesRule(SafetyPolicies.of(spec));
        Evidence evidence = Evidence.none();
        List<String> notes = new ArrayList<>();
        GateVerdict.Suite suiteRef = null;
        List<GateVerdict.Category> categories = new ArrayList<>();
        String report = null;
        SuiteRounds.Round round = null;
        // the shadow stage is there for the canary's outputs to mirrored live requests: it always weighs them
        boolean online = (Boolean.TRUE.equals(spec.getOnline()) && ctx.stage() != Stage.PREFLIGHT)
                || ctx.stage() == Stage.SHADOW;
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
            String judgeProblem = ownJudge.isPresent() ? Judges.problem(spec.getJudge()) : null;
            if (judgeProblem != null) {
                return inconclusive("spec.analysis.safety." + judgeProblem);
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
            boolean compare = spec.getStableMargin() != null
                    && ctx.stableVersion() != null
                    && !ctx.stableVersion().equals(ctx.canaryVersion());
            String canaryUrl = deps.endpoint().baseUrl(ctx.release());
            String stableUrl = compare ? deps.endpoint().stableBaseUrl(ctx.release()) : null;
            String judge = judgeUrl.get();
            // a release's own judge URL is checked again before every call of the run (RecheckedJudge)
            String recheckIn =
                    ownJudge.isPresent() ? ctx.release().getMetadata().getNamespace() : null;
            boolean suffices = rule.assess(rollout.total(RolloutEvidence.SUITE, suite, ctx.canaryVersion()))
                            .verdict()
                    != Verdict.INCONCLUSIVE;
            round = new SuiteRounds(deps.executor()).next(ctx, name(), suite, suffices, () -> {
                SuiteRun canaryRun = runSuite(suite, canaryUrl, ctx.canaryVersion(), judge, recheckIn);
                // a run stopped because the judge is refused: the stable is not asked either
                boolean stable = compare && canaryRun.stopped().isEmpty();
                return new SuiteResults(
                        canaryRun, stable ? runSuite(suite, stableUrl, ctx.stableVersion(), judge, recheckIn) : null);
            });
            if (round instanceof SuiteRounds.Stopped stopped) {
                return inconclusive(stopped.reason())
                        .withDetails(suiteRef, null, null)
                        .withSuiteRun(SuiteRounds.incomplete(round.state()));
            }
            if (round instanceof SuiteRounds.Pending p) {
                notes.add(p.note());
            } else {
                SuiteRounds.Fresh fresh = round instanceof SuiteRounds.Fresh f ? f : null;
                SuiteRun run = fresh == null ? null : fresh.results().canary();
                boolean incomplete = run != null && (run.stopped().isPresent() || run.errors() > 0);
                List<String> criticalBeforeItEnded = incomplete ? criticalHits(run.flags()) : List.of();
                if (!criticalBeforeItEnded.isEmpty()) {
                    // a critical flag among the outputs that were judged fails the gate, whatever became of the rest
                    return verdict(
                                    Verdict.FAIL,
                                    "critical category " + criticalBeforeItEnded + " flagged; suite " + suite.name()
                                            + "@" + suite.hash() + " " + summary(run) + " (" + run.errors()
                                            + " of " + suite.prompts().size() + " prompts could not be run or judged)",
                                    rule.assess(run.evidence()))
                            .asCritical()
                            .withDetails(suiteRef, null, null)
                            .withSuiteRun(SuiteRounds.incomplete(round.state()));
                }
                if (run != null && run.stopped().isPresent()) {
                    return inconclusive("suite " + suite.name() + "@" + suite.hash() + ": the run stopped, "
                                    + run.notSent() + " of " + suite.prompts().size()
                                    + " prompts not sent, because the outputs cannot be judged: "
                                    + run.stopped().get())
                            .withDetails(suiteRef, null, null)
                            .withSuiteRun(SuiteRounds.incomplete(round.state()));
                }
                if (run != null && run.errors() > 0) {
                    return inconclusive("suite " + suite.name() + "@" + suite.hash() + ": " + run.errors() + " of "
                                    + suite.prompts().size() + " prompts could not be run or judged: "
                                    + String.join("; ", run.firstErrors()))
                            .withDetails(suiteRef, null, null)
                            .withSuiteRun(SuiteRounds.incomplete(round.state()));
                }
                SuiteRun stableRun = compare && fresh != null ? fresh.results().stable() : null;
                if (stableRun != null && stableRun.errors() > 0) {
                    // before anything is counted, and the round incomplete: counted, the canary's run could settle
                    // the suite, and the comparison would never run again (stable 0/0 against the prior alone)
                    return inconclusive("suite against stable " + ctx.stableVersion() + ": " + stableRun.errors()
                                    + " of " + suite.prompts().size() + " prompts could not be run or judged: "
                                    + String.join("; ", stableRun.firstErrors()))
                            .withDetails(suiteRef, null, null)
                            .withSuiteRun(SuiteRounds.incomplete(round.state()));
                }
                // a run's evidence goes into the status tallies once: a result handed out again (its run id is
                // already status.gates[].suiteRun.countedRun, e.g. after a failed status write) adds nothing
                boolean count = fresh != null && !fresh.counted();
                String suiteNote;
                if (run != null) {
                    run.byCategory()
                            .forEach((c, e) ->
                                    categories.add(new GateVerdict.Category(c, "suite", e.samples(), e.flagged())));
                    List<String> critical = criticalHits(run.flags());
                    Evidence total = count
                            ? rollout.add(RolloutEvidence.SUITE, suite, ctx.canaryVersion(), run.evidence())
                            : rollout.total(RolloutEvidence.SUITE, suite, ctx.canaryVersion());
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
                    evidence = rollout.total(RolloutEvidence.SUITE, suite, ctx.canaryVersion());
                    suiteNote = "suite " + suite.name() + "@" + suite.hash() + ": "
                            + round.state().runs() + " run(s) counted in this stage";
                }
                notes.add(suiteNote
                        + (run == null || evidence.samples() > run.evidence().samples()
                                ? " (" + evidence.samples() + " judged in this rollout)"
                                : ""));
                if (compare) {
                    SuiteRun stable = fresh == null ? null : fresh.results().stable();
                    Evidence stableTotal = stable != null && count
                            ? rollout.add(RolloutEvidence.STABLE, suite, ctx.stableVersion(), stable.evidence())
                            : rollout.total(RolloutEvidence.STABLE, suite, ctx.stableVersion());
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
            if (deps.live().isEmpty()) {
                return inconclusive("online: true needs Prometheus (fledge.prometheus.url)")
                        .withDetails(suiteRef, categories, report)
                        .withSuiteRun(runState);
            }
            String liveJudgeProblem = liveJudgeProblem();
            if (liveJudgeProblem != null) {
                return inconclusive(liveJudgeProblem)
                        .withDetails(suiteRef, categories, report)
                        .withSuiteRun(runState);
            }
            Optional<LiveOutputs.Reading> reading = deps.live().get().read(ctx, name(), criticalCategories());
            if (reading.isEmpty()) {
                return inconclusive(
                                "online evidence: waiting for Prometheus' first answer in this stage or public step (asked off"
                                        + " the reconcile thread)")
                        .withDetails(suiteRef, categories, report)
                        .withSuiteRun(runState);
            }
            LiveOutputs.Reading live = reading.get();
            if (live.problem() != null) {
                return inconclusive("online evidence unavailable: " + live.problem())
                        .withDetails(suiteRef, categories, report)
                        .withSuiteRun(runState);
            }
            live.criticalFlags().forEach((c, n) -> categories.add(new GateVerdict.Category(c, "online", null, n)));
            evidence = evidence.plus(live.evidence());
            LivePolicy livePolicy = LivePolicy.of(spec);
            long criticalMinimum = livePolicy.criticalFlagsIn(ctx.stage(), LiveOutputs.mirrored(ctx));
            String liveNote = "live " + live.evidence().flagged() + "/"
                    + live.evidence().samples() + " flagged (" + ctx.audience() + ") over the stage's " + live.window()
                    + " (from two scrape intervals before it)"
                    + (live.unjudged() == null ? "" : ", " + live.unjudged() + " not judged by the classifier");
            Map<String, Long> hits = live.criticalHits(criticalMinimum);
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
            Map<String, Long> few = live.belowMinimum(criticalMinimum);
            notes.add(liveNote
                    + (few.isEmpty()
                            ? ""
                            : ", critical flags " + few + " below the public stage's minimum of " + criticalMinimum
                                    + " (weighed as flagged outputs)"));
            // a failing verdict is not held back: the outputs without a verdict could only have added flags
            if (live.unjudged() != null
                    && live.unjudged() > MAX_UNJUDGED_SHARE * (live.evidence().samples() + live.unjudged())
                    && rule.assess(evidence).verdict() != Verdict.FAIL) {
                return inconclusive(liveNote + ": more than " + Math.round(MAX_UNJUDGED_SHARE * 100)
                                + " % of the live outputs got no verdict from the classifier; the judged ones may not"
                                + " be a fair sample")
                        .withDetails(suiteRef, categories, report)
                        .withSuiteRun(runState);
            }
            if (live.evidence().samples() < livePolicy.minSamples()) {
                BayesAssessment a = rule.assess(evidence);
                if (a.verdict() != Verdict.FAIL) {
                    return verdict(
                                    Verdict.INCONCLUSIVE,
                                    String.join("; ", notes) + "; waiting for live outputs: "
                                            + live.evidence().samples() + " of the " + livePolicy.minSamples()
                                            + " (minLiveSamples) this stage needs before a pass",
                                    a)
                            .withDetails(suiteRef, categories, report)
                            .withSuiteRun(runState);
                }
            }
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

    /**
     * {@code recheckIn}: the release's namespace when the judge URL is its own (checked before each call), else null.
     * {@code version}: the version the track at {@code baseUrl} runs; an answer that says it is another is not counted.
     */
    private SuiteRun runSuite(PromptSuite suite, String baseUrl, String version, String judgeUrl, String recheckIn) {
        var s = spec.getSuite();
        SafetyLimits limits = deps.settings().limits();
        Duration promptTimeout =
                limits.promptTimeout(GoDuration.parseOr(s.getTimeout(), SafetySettings.DEFAULT_PROMPT_TIMEOUT));
        Duration judgeTimeout = limits.judgeTimeout(GoDuration.parseOr(
                spec.getJudge() == null ? null : spec.getJudge().getTimeout(), SafetySettings.DEFAULT_JUDGE_TIMEOUT));
        int concurrency = limits.concurrency(
                s.getConcurrency() == null ? SafetySettings.DEFAULT_CONCURRENCY : s.getConcurrency());
        // the operator's default judge is a moderation endpoint; a release's own judge is of the kind it names
        JudgeSpec own = recheckIn == null ? null : spec.getJudge();
        Judge judge = recheckIn == null
                ? deps.judges().at(null, judgeUrl, judgeTimeout)
                : new RecheckedJudge(
                        url -> deps.judges().at(own, url, judgeTimeout),
                        () -> deps.settings().outbound().permit(judgeUrl, recheckIn));
        return new SuiteRunner(concurrency, promptTimeout.plus(judgeTimeout))
                .run(suite, deps.models().apply(baseUrl).answeringAs(version), judge);
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

    private static String summary(SuiteRun run) {
        String cats = run.byCategory().entrySet().stream()
                .map(e -> e.getKey() + " " + e.getValue().flagged() + "/"
                        + e.getValue().samples())
                .collect(Collectors.joining(", "));
        String flags = run.flags().isEmpty() ? "" : "; flags " + run.flags();
        String ex = run.examples().isEmpty()
                ? ""
                : FlaggedExample.IN_REASON
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
