package dev.fledge.operator.mock;

import static org.assertj.core.api.Assertions.assertThat;

import dev.fledge.api.Labels;
import dev.fledge.api.ModelRelease;
import dev.fledge.api.spec.AnalysisSpec;
import dev.fledge.api.spec.ConfigMapKeyRef;
import dev.fledge.api.spec.JudgeKind;
import dev.fledge.api.spec.JudgeSpec;
import dev.fledge.api.spec.SafetySpec;
import dev.fledge.api.spec.SuiteSpec;
import dev.fledge.api.status.EvidenceCount;
import dev.fledge.api.status.GateResult;
import dev.fledge.api.status.ModelReleaseStatus;
import dev.fledge.api.status.Phase;
import dev.fledge.operator.gates.ConfiguredGates;
import dev.fledge.operator.gates.safety.Judgement;
import dev.fledge.operator.gates.safety.PromptSuite;
import dev.fledge.operator.gates.safety.SafetyGate;
import dev.fledge.operator.gates.safety.SafetyGates;
import dev.fledge.operator.gates.safety.SafetySettings;
import dev.fledge.operator.gates.safety.UnjudgedCategories;
import dev.fledge.operator.gates.safety.WordListLiveOutputs;
import dev.fledge.testsupport.DeploymentReadiness;
import dev.fledge.testsupport.MockCluster;
import io.fabric8.kubernetes.client.KubernetesClient;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.function.Predicate;
import java.util.stream.Collectors;
import java.util.stream.IntStream;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

/**
 * The suite evidence of a rollout is part of that rollout (issue 14, item 10): it lives in status, so a restarted
 * operator goes on from it, and a new rollout (retry, a new version) starts from none. Every run of the 50-prompt
 * suite adds 50 clean outputs; the default rule needs 258 to pass, so preflight holds for 6 runs.
 */
class SafetyEvidenceOnMockApiServerTest {
    static final String SUITE = IntStream.range(0, 50)
            .mapToObj(i -> "  - {id: q" + i + ", category: violence, prompt: \"prompt " + i + "\"}")
            .collect(Collectors.joining("\n", "prompts:\n", "\n"));

    MockCluster cluster;
    KubernetesClient client;
    DeploymentReadiness kubelet;
    OperatorUnderTest operator;

    @BeforeEach
    void start() throws Exception {
        cluster = new MockCluster();
        client = cluster.client();
        Releases.createNamespace(client);
        kubelet = new DeploymentReadiness(client);
        operator = freshOperator();
    }

    @AfterEach
    void stop() {
        operator.close();
        kubelet.close();
        cluster.close();
    }

    /** An operator with its own gates and nothing in memory from before, as after a restart. */
    OperatorUnderTest freshOperator() {
        return new OperatorUnderTest(
                client,
                new ConfiguredGates(Map.of(
                        SafetyGate.KIND,
                        new SafetyGates(new SafetyGate.SafetyCollaborators(
                                (ns, ref) -> PromptSuite.parse(ref.getName(), SUITE),
                                r -> "http://canary",
                                url -> prompt -> "a calm answer",
                                (url, t) -> text -> new Judgement(false, List.of()),
                                new SafetySettings(Optional.of("http://judge/v1/moderations"), 16),
                                Optional.empty(),
                                (release, report) -> null)))));
    }

    void create(String version) {
        ModelRelease mr = Releases.replicas("assistant", version);
        mr.getSpec()
                .setAnalysis(new AnalysisSpec()
                        .withInterval("1s")
                        .withSafety(new SafetySpec()
                                .withSuite(
                                        new SuiteSpec().withConfigMapRef(new ConfigMapKeyRef().withName("red-team")))));
        client.resource(mr).create();
    }

    @Test
    void aRestartedOperatorGoesOnFromTheEvidenceOfTheRolloutInStatus() throws Exception {
        create("1.0.0");
        awaitStatus(s -> samples(s) >= 100);
        operator.close();
        Thread.sleep(1500); // a reconcile under way when it stopped has written its status
        long before = samples(current());
        assertThat(before).isLessThan(300); // still in preflight: not enough to pass yet

        operator = freshOperator();
        ModelReleaseStatus after = awaitStatus(s -> samples(s) != before);
        assertThat(samples(after)).isEqualTo(before + 50);
        assertThat(safety(after).getEvidence())
                .extracting(EvidenceCount::getSamples)
                .containsExactly(before + 50);
        assertThat(safety(after).getEvidence()).singleElement().satisfies(e -> {
            assertThat(e.getSource()).isEqualTo("suite");
            assertThat(e.getVersion()).isEqualTo("1.0.0");
            assertThat(e.getSuite()).startsWith("red-team@");
        });
    }

    @Test
    void retryStartsTheEvidenceAgain() {
        create("1.0.0");
        awaitStatus(s -> samples(s) >= 100);
        action("abort");
        // as a user would: the next action once the operator has taken the abort's annotation away (replacing it
        // earlier makes the operator's conditional removal fail; the mock API server then hangs that request)
        awaitStatus(s -> s.getPhase() == Phase.FAILED
                && s.getAction() != null
                && Boolean.TRUE.equals(s.getAction().getAnnotationRemoved()));

        action("retry");
        ModelReleaseStatus retried = awaitStatus(s -> s.getPhase() == Phase.PROGRESSING && samples(s) > 0);
        assertThat(samples(retried)).isEqualTo(50);
        assertThat(safety(retried).getEvidence())
                .extracting(EvidenceCount::getSamples)
                .containsExactly(50L);
    }

    @Test
    void aNewVersionStartsTheEvidenceAgain() {
        create("1.0.0");
        awaitStatus(s -> samples(s) >= 100);
        Releases.edit(client, "assistant", r -> {
            r.getSpec().getModel().setVersion("1.1.0");
            r.getSpec().getModel().setUri("file:///models/1.1.0");
        });
        ModelReleaseStatus next = awaitStatus(s -> "1.1.0".equals(s.getCanaryVersion()) && samples(s) > 0);
        assertThat(samples(next)).isEqualTo(50);
        assertThat(safety(next).getEvidence())
                .singleElement()
                .satisfies(e -> assertThat(e.getVersion()).isEqualTo("1.1.0"));
    }

    /**
     * Issue 17 review, MED 2: a critical category the llamaGuard judge never reports ({@code sexual/minors}, which its
     * S4 calls {@code csam}) is a standing warning in status, gone once the judge's mapping reports it.
     */
    @Test
    void aCriticalCategoryTheLlamaGuardJudgeNeverReportsIsAWarningUntilItIsMapped() {
        ModelRelease mr = Releases.replicas("assistant", "1.0.0");
        mr.getSpec()
                .setAnalysis(new AnalysisSpec()
                        .withInterval("1s")
                        .withSafety(new SafetySpec()
                                .withSuite(new SuiteSpec().withConfigMapRef(new ConfigMapKeyRef().withName("red-team")))
                                .withJudge(new JudgeSpec()
                                        .withKind(JudgeKind.LLAMA_GUARD)
                                        .withUrl("http://judge/v1/chat/completions"))
                                .withCriticalCategories(List.of("sexual/minors", "violence", "S15"))));
        client.resource(mr).create();
        ModelReleaseStatus s =
                awaitStatus(st -> RoutesOnMockApiServerTest.condition(st, UnjudgedCategories.TYPE) != null);
        var c = RoutesOnMockApiServerTest.condition(s, UnjudgedCategories.TYPE);
        assertThat(c.getStatus()).isEqualTo("True");
        assertThat(c.getMessage())
                .startsWith("spec.analysis.safety.criticalCategories [sexual/minors] are not categories the llamaGuard"
                        + " judge reports")
                .contains("judge.categories: {S4: sexual/minors}");

        Releases.edit(
                client,
                "assistant",
                r -> r.getSpec().getAnalysis().getSafety().getJudge().setCategories(Map.of("S4", "sexual/minors")));
        awaitStatus(st -> RoutesOnMockApiServerTest.condition(st, UnjudgedCategories.TYPE) == null
                && st.getObservedGeneration() != null
                && st.getObservedGeneration() == 2L);
    }

    /**
     * Issue 17 part 3: online safety whose live outputs fall to the model server's word list carries a standing
     * warning, gone once a llamaGuard judge judges them.
     */
    @Test
    void liveOutputsJudgedByTheWordListAreAWarningUntilALlamaGuardJudgeIsSet() {
        ModelRelease mr = Releases.replicas("assistant", "1.0.0");
        mr.getSpec()
                .setAnalysis(new AnalysisSpec()
                        .withInterval("1s")
                        .withSafety(new SafetySpec().withOnline(true).withCriticalCategories(List.of("self-harm"))));
        client.resource(mr).create();
        ModelReleaseStatus s =
                awaitStatus(st -> RoutesOnMockApiServerTest.condition(st, WordListLiveOutputs.TYPE) != null);
        var c = RoutesOnMockApiServerTest.condition(s, WordListLiveOutputs.TYPE);
        assertThat(c.getStatus()).isEqualTo("True");
        assertThat(c.getReason()).isEqualTo("NoClassifier");
        assertThat(c.getMessage()).contains("word list", "kind llamaGuard and liveOutputs: true");

        Releases.edit(
                client,
                "assistant",
                r -> r.getSpec()
                        .getAnalysis()
                        .getSafety()
                        .setJudge(new JudgeSpec()
                                .withKind(JudgeKind.LLAMA_GUARD)
                                .withUrl("http://judge/v1/chat/completions")
                                .withLiveOutputs(true)));
        awaitStatus(st -> RoutesOnMockApiServerTest.condition(st, WordListLiveOutputs.TYPE) == null
                && st.getObservedGeneration() != null
                && st.getObservedGeneration() == 2L);
    }

    void action(String value) {
        Releases.edit(
                client, "assistant", mr -> mr.getMetadata().getAnnotations().put(Labels.ACTION, value));
    }

    static GateResult safety(ModelReleaseStatus s) {
        return s.getGates() == null
                ? null
                : s.getGates().stream()
                        .filter(g -> "safety".equals(g.getName()))
                        .findFirst()
                        .orElse(null);
    }

    /** The outputs the safety gate's last verdict was weighed on (the suite runs of this rollout). */
    static long samples(ModelReleaseStatus s) {
        GateResult g = safety(s);
        return g == null || g.getSamples() == null ? 0 : g.getSamples();
    }

    ModelReleaseStatus current() {
        return client.resources(ModelRelease.class)
                .inNamespace(Releases.NS)
                .withName("assistant")
                .get()
                .getStatus();
    }

    ModelReleaseStatus awaitStatus(Predicate<ModelReleaseStatus> p) {
        return Releases.awaitStatus(client, "assistant", Duration.ofSeconds(30), p);
    }
}
