package dev.fledge.e2e.gates;

import static org.assertj.core.api.Assertions.assertThat;

import dev.fledge.api.ModelRelease;
import dev.fledge.api.spec.AnalysisSpec;
import dev.fledge.api.spec.ConfigMapKeyRef;
import dev.fledge.api.spec.JudgeSpec;
import dev.fledge.api.spec.ModelReleaseSpec;
import dev.fledge.api.spec.ModelSpec;
import dev.fledge.api.spec.SafetySpec;
import dev.fledge.api.spec.SuiteSpec;
import dev.fledge.api.status.EvidenceCount;
import dev.fledge.api.status.GateResult;
import dev.fledge.api.status.ModelReleaseStatus;
import dev.fledge.api.status.SuiteRunStatus;
import dev.fledge.api.status.Verdict;
import dev.fledge.core.rollout.GateVerdict;
import dev.fledge.core.rollout.PlanResolver;
import dev.fledge.core.rollout.Stage;
import dev.fledge.operator.gates.GateContext;
import dev.fledge.operator.gates.safety.HttpCanaryModel;
import dev.fledge.operator.gates.safety.ModerationJudge;
import dev.fledge.operator.gates.safety.PromptSuite;
import dev.fledge.operator.gates.safety.SafetyGate;
import dev.fledge.operator.gates.safety.SafetyReports;
import dev.fledge.operator.gates.safety.SafetySettings;
import dev.fledge.operator.http.BoundedHttp;
import io.fabric8.kubernetes.api.model.ObjectMetaBuilder;
import java.net.ServerSocket;
import java.net.http.HttpClient;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Tag;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.TestInstance;

/**
 * The safety suite run by the real gate against real model servers: {@code v1} passes, {@code v3-unsafe} fails,
 * judged by a model server's {@code /v1/moderations} with the default guard policy. A judge that is down or hangs
 * gives Inconclusive.
 */
@Tag("e2e")
@TestInstance(TestInstance.Lifecycle.PER_CLASS)
class SafetySuiteOnRealModelServersTest {
    static final HttpClient HTTP = BoundedHttp.newClient(Duration.ofSeconds(5));
    /**
     * The version under test: each server plays the canary, so each runs as it (the suite checks that the version
     * which answered is the canary's, X-Fledge-Model-Version).
     */
    static final String CANARY = "2.0.0";

    static final String SUITE = RedTeamSuite.yaml(50);

    Path dir;
    RealProcess safe;
    RealProcess unsafe;

    @BeforeAll
    void start() throws Exception {
        dir = Files.createTempDirectory("fledge-safety-suite");
        safe = RealProcess.modelServer("v1", CANARY, Map.of(), dir);
        unsafe = RealProcess.modelServer("v3-unsafe", CANARY, Map.of(), dir);
    }

    @AfterAll
    void stop() {
        if (unsafe != null) {
            unsafe.close();
        }
        if (safe != null) {
            safe.close();
        }
        RealProcess.deleteTree(dir);
    }

    SafetySpec spec(String judgeUrl) {
        return new SafetySpec()
                .withSuite(new SuiteSpec()
                        .withConfigMapRef(new ConfigMapKeyRef().withName("red-team"))
                        .withConcurrency(2)
                        .withTimeout("20s"))
                .withJudge(new JudgeSpec().withUrl(judgeUrl).withTimeout("2s"));
    }

    SafetyGate gate(SafetySpec spec, RealProcess canary) {
        return new SafetyGate(
                spec,
                new SafetyGate.SafetyCollaborators(
                        (ns, ref) -> PromptSuite.parse(ref.getName(), SUITE),
                        mr -> canary.url(),
                        url -> new HttpCanaryModel(
                                HTTP, url, Duration.ofSeconds(20), 24, BoundedHttp.DEFAULT_MAX_BYTES),
                        (url, timeout) -> new ModerationJudge(HTTP, url, timeout, BoundedHttp.DEFAULT_MAX_BYTES),
                        new SafetySettings(Optional.empty(), 24),
                        Optional.empty(),
                        SafetyReports.none()));
    }

    static GateContext ctx(SafetySpec spec, String stage) {
        ModelRelease mr = new ModelRelease();
        mr.setMetadata(new ObjectMetaBuilder()
                .withName("assistant")
                .withNamespace("ml")
                .build());
        return ctx(spec, stage, mr);
    }

    static GateContext ctx(SafetySpec spec, String stage, ModelRelease mr) {
        mr.setSpec(new ModelReleaseSpec()
                .withModel(new ModelSpec()
                        .withName("assistant")
                        .withVersion(CANARY)
                        .withUri("file:///m"))
                .withAnalysis(new AnalysisSpec().withSafety(spec)));
        var plan = new PlanResolver(Duration.ofMinutes(1)).resolve(mr.getSpec());
        return new GateContext(
                mr,
                plan,
                Stage.fromWire(stage),
                "preflight".equals(stage) ? null : stage,
                "1.0.0",
                CANARY,
                Instant.now());
    }

    @Test
    void theSafeModelPassesOnceItsRunsAddUpToEnoughEvidence() {
        SafetySpec spec = spec(safe.url() + "/v1/moderations");
        SafetyGate gate = gate(spec, safe);
        ModelRelease mr = new ModelRelease();
        mr.setMetadata(new ObjectMetaBuilder()
                .withName("assistant")
                .withNamespace("ml")
                .build());
        List<GateVerdict> verdicts = new ArrayList<>();
        for (int run = 0;
                run < 8
                        && (verdicts.isEmpty()
                                || verdicts.get(verdicts.size() - 1).verdict() == Verdict.INCONCLUSIVE);
                run++) {
            GateContext ctx = ctx(spec, run == 0 ? "preflight" : "internal", mr);
            GateVerdict v = gate.evaluate(ctx);
            verdicts.add(v);
            recorded(mr, v);
        }
        GateVerdict last = verdicts.get(verdicts.size() - 1);
        assertThat(last.verdict()).as(last.reason()).isEqualTo(Verdict.PASS);
        assertThat(last.samples()).isGreaterThanOrEqualTo(248);
        assertThat(last.flagged()).isZero();
        assertThat(last.reason()).contains("suite red-team@");
    }

    /**
     * Records {@code v} in the release's status, as the engine's status write does: the suite's runs, and the suite
     * evidence of the rollout (null evidence keeps what status holds).
     */
    static void recorded(ModelRelease mr, GateVerdict v) {
        GateVerdict.SuiteRun r = v.suiteRun();
        var old = mr.getStatus() == null || mr.getStatus().getGates() == null
                ? null
                : mr.getStatus().getGates().stream()
                        .filter(g -> v.name().equals(g.getName()))
                        .findFirst()
                        .orElse(null);
        List<EvidenceCount> evidence = v.evidence() == null
                ? (old == null ? null : old.getEvidence())
                : v.evidence().stream()
                        .map(t -> new EvidenceCount()
                                .withSource(t.source())
                                .withSuite(t.suite())
                                .withVersion(t.version())
                                .withSamples(t.samples())
                                .withFlagged(t.flagged()))
                        .toList();
        mr.setStatus(new ModelReleaseStatus()
                .withGates(List.of(new GateResult()
                        .withName(v.name())
                        .withEvidence(evidence)
                        .withSuiteRun(
                                r == null
                                        ? null
                                        : new SuiteRunStatus()
                                                .withState(r.running() ? "Running" : "Done")
                                                .withVersion(r.version())
                                                .withStage(r.stage())
                                                .withSuiteHash(r.suiteHash())
                                                .withRuns(r.runs())
                                                .withCountedRun(r.countedRun())
                                                .withStartedAt(r.startedAt())))));
    }

    /** Issue 14, item 2: the suite's red-team outputs are the canary's evaluation traffic, never its public traffic. */
    @Test
    void suiteOutputsAreCountedAsEvaluationNeverAsPublicLiveTraffic() throws Exception {
        SafetySpec spec = spec(safe.url() + "/v1/moderations");
        String before = scrape(safe);
        GateVerdict v = gate(spec, safe).evaluate(ctx(spec, "public"));
        assertThat(v.samples()).as(v.reason()).isEqualTo(50L);
        String after = scrape(safe);

        assertThat(outputs(after, "public") - outputs(before, "public"))
                .as("suite outputs counted as public live traffic")
                .isZero();
        assertThat(outputs(after, "evaluation") - outputs(before, "evaluation")).isEqualTo(50);
    }

    static String scrape(RealProcess server) throws Exception {
        var http = java.net.http.HttpClient.newHttpClient();
        return http.send(
                        java.net.http.HttpRequest.newBuilder(java.net.URI.create(server.url() + "/metrics"))
                                .build(),
                        java.net.http.HttpResponse.BodyHandlers.ofString())
                .body();
    }

    /** {@code fledge_model_outputs_total} of one audience, both verdicts; 0 when the series does not exist. */
    static double outputs(String metrics, String audience) {
        return metrics.lines()
                .filter(l -> l.startsWith("fledge_model_outputs_total{") && l.contains("audience=\"" + audience + "\""))
                .mapToDouble(l -> Double.parseDouble(l.substring(l.lastIndexOf(' ') + 1)))
                .sum();
    }

    @Test
    void theUnsafeModelFailsInItsFirstRun() {
        SafetySpec spec = spec(safe.url() + "/v1/moderations");
        GateVerdict v = gate(spec, unsafe).evaluate(ctx(spec, "preflight"));
        assertThat(v.verdict()).as(v.reason()).isEqualTo(Verdict.FAIL);
        assertThat(v.flagged()).isGreaterThan(5);
        assertThat(v.pAboveMax()).isGreaterThan(0.95);
        assertThat(v.reason()).contains("first flagged:");
    }

    @Test
    void aCriticalCategoryFlagOnTheUnsafeModelIsCritical() {
        SafetySpec spec =
                spec(safe.url() + "/v1/moderations").withCriticalCategories(List.of("violence", "harassment"));
        GateVerdict v = gate(spec, unsafe).evaluate(ctx(spec, "preflight"));
        assertThat(v.verdict()).isEqualTo(Verdict.FAIL);
        assertThat(v.critical()).isTrue();
    }

    @Test
    void aJudgeThatIsDownGivesInconclusive() throws Exception {
        int port;
        try (ServerSocket s = new ServerSocket(0)) {
            port = s.getLocalPort();
        }
        SafetySpec spec = spec("http://127.0.0.1:" + port + "/v1/moderations");
        GateVerdict v = gate(spec, safe).evaluate(ctx(spec, "preflight"));
        assertThat(v.verdict()).isEqualTo(Verdict.INCONCLUSIVE);
        assertThat(v.reason()).contains("could not be run or judged");
    }

    @Test
    void aJudgeThatNeverAnswersTimesOutInconclusive() throws Exception {
        try (ServerSocket silent = new ServerSocket(0, 100)) {
            SafetySpec spec = spec("http://127.0.0.1:" + silent.getLocalPort() + "/v1/moderations");
            spec.getJudge().setTimeout("500ms");
            GateVerdict v = gate(spec, safe).evaluate(ctx(spec, "preflight"));
            assertThat(v.verdict()).isEqualTo(Verdict.INCONCLUSIVE);
            assertThat(v.reason()).containsAnyOf("did not answer within", "timed out");
        }
    }
}
