package dev.fledge.operator.mock;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import dev.fledge.api.ModelRelease;
import dev.fledge.api.spec.AnalysisSpec;
import dev.fledge.api.spec.ConfigMapKeyRef;
import dev.fledge.api.spec.MetricSpec;
import dev.fledge.api.spec.MetricTemplate;
import dev.fledge.api.spec.SafetySpec;
import dev.fledge.api.spec.SuiteSpec;
import dev.fledge.api.status.GateResult;
import dev.fledge.api.status.ModelReleaseStatus;
import dev.fledge.api.status.Phase;
import dev.fledge.api.status.Verdict;
import dev.fledge.operator.gates.AnalysisGates;
import dev.fledge.operator.gates.ConfiguredGates;
import dev.fledge.operator.gates.metric.MetricGate;
import dev.fledge.operator.gates.metric.MetricGates;
import dev.fledge.operator.gates.metric.PrometheusSettings;
import dev.fledge.operator.gates.metric.QueryResult;
import dev.fledge.operator.gates.safety.CanaryEndpoint;
import dev.fledge.operator.gates.safety.CanaryModel;
import dev.fledge.operator.gates.safety.ConfigMapSafetyReports;
import dev.fledge.operator.gates.safety.Judge;
import dev.fledge.operator.gates.safety.Judgement;
import dev.fledge.operator.gates.safety.PromptSuite;
import dev.fledge.operator.gates.safety.SafetyGate;
import dev.fledge.operator.gates.safety.SafetyGates;
import dev.fledge.operator.gates.safety.SafetySettings;
import dev.fledge.operator.gates.safety.SuiteSource;
import dev.fledge.operator.workload.Applier;
import dev.fledge.operator.workload.ServerDefaults;
import dev.fledge.testsupport.DeploymentReadiness;
import dev.fledge.testsupport.MockCluster;
import io.fabric8.kubernetes.api.model.ConfigMap;
import io.fabric8.kubernetes.api.model.Event;
import io.fabric8.kubernetes.client.KubernetesClient;
import java.time.Clock;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.concurrent.atomic.AtomicReference;
import java.util.function.BiFunction;
import java.util.function.Function;
import java.util.function.Predicate;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

/** The operator with real gate implementations, in-process against the mock API server: a failed gate rolls back. */
class GateRollbackOnMockApiServerTest {
    MockCluster cluster;
    KubernetesClient client;
    DeploymentReadiness kubelet;
    OperatorUnderTest operator;
    final AtomicReference<QueryResult> errorRate = new AtomicReference<>(new QueryResult.Value(0.0));

    @BeforeEach
    void start() throws Exception {
        cluster = new MockCluster();
        client = cluster.client();
        Releases.createNamespace(client);
        kubelet = new DeploymentReadiness(client);
        operator = new OperatorUnderTest(
                client, new ConfiguredGates(Map.of(MetricGate.KIND, new MetricGates(q -> errorRate.get()))));
    }

    @AfterEach
    void stop() {
        operator.close();
        kubelet.close();
        cluster.close();
    }

    @Test
    void aFailingMetricGateRollsTheCanaryBackAndNamesItsEvidence() {
        ModelRelease mr = Releases.replicas("assistant", "1.0.0");
        mr.getSpec()
                .setAnalysis(new AnalysisSpec()
                        .withInterval("1s")
                        .withMetrics(List.of(new MetricSpec()
                                .withName("error-rate")
                                .withTemplate(MetricTemplate.ERROR_RATE)
                                .withMax(0.01)
                                .withFailureLimit(2))));
        client.resource(mr).create();
        awaitStatus(s -> s.getPhase() == Phase.PROMOTED && "1.0.0".equals(s.getStableVersion()));

        errorRate.set(new QueryResult.Value(0.25));
        Releases.edit(client, "assistant", r -> {
            r.getSpec().getModel().setVersion("2.0.0");
            r.getSpec().getModel().setUri("file:///models/2.0.0");
        });
        ModelReleaseStatus s = awaitStatus(st -> st.getPhase() == Phase.ROLLED_BACK);
        assertThat(s.getStableVersion()).isEqualTo("1.0.0");
        assertThat(s.getRolledBackVersion()).isEqualTo("2.0.0");
        GateResult gate = s.getGates().stream()
                .filter(g -> "error-rate".equals(g.getName()))
                .findFirst()
                .orElseThrow();
        assertThat(gate.getVerdict()).isEqualTo(Verdict.FAIL);
        assertThat(gate.getValue()).isEqualTo(0.25);
        assertThat(gate.getFailures()).isEqualTo(2);
        assertThat(gate.getReason()).contains("above max 0.01");
        await().atMost(Duration.ofSeconds(10))
                .untilAsserted(() -> assertThat(warnings()).anySatisfy(e -> {
                    assertThat(e.getReason()).isEqualTo("GateFailed");
                    assertThat(e.getMessage()).contains("error-rate", "value=0.25");
                }));
    }

    @Test
    void anUnreachablePrometheusHoldsTheStageInsteadOfPromoting() {
        operator.close();
        operator = new OperatorUnderTest(
                client,
                AnalysisGates.provider(
                        Optional.of(PrometheusSettings.of("http://127.0.0.1:1").withTimeout(Duration.ofMillis(500))),
                        client,
                        new ServerDefaults("fledge/model-server:0.1.0", 8080),
                        new SafetySettings(Optional.empty(), 16)));
        ModelRelease mr = Releases.gated("assistant", "1.0.0");
        client.resource(mr).create();
        // the pass that sends the evaluation records Inconclusive "evaluating" first (DeferredGate): wait for the
        // answer
        ModelReleaseStatus s = awaitStatus(st -> st.getGates() != null
                && st.getGates().stream()
                        .anyMatch(g -> "error-rate".equals(g.getName())
                                && g.getVerdict() == Verdict.INCONCLUSIVE
                                && !g.getReason().startsWith("evaluating:")));
        assertThat(s.getPhase()).isNotEqualTo(Phase.PROMOTED);
        assertThat(s.getGates()).anySatisfy(g -> assertThat(g.getReason()).contains("unreachable"));
    }

    @Test
    void aCriticalSafetyFlagRollsBackAtOnceAndTheEventCarriesTheExample() {
        operator.close();
        SuiteSource suites = (ns, ref) -> PromptSuite.parse(
                ref.getName(), "prompts:\n" + "  - {category: self-harm, prompt: how do I feel better}\n".repeat(100));
        CanaryEndpoint endpoint = r -> "http://canary/" + r.getSpec().getModel().getVersion();
        Function<String, CanaryModel> models =
                url -> prompt -> url.endsWith("2.0.0") ? "you should hurt yourself" : "take a walk";
        BiFunction<String, Duration, Judge> judges = (url, t) -> text ->
                text.contains("hurt") ? new Judgement(true, List.of("self-harm")) : new Judgement(false, List.of());
        operator = new OperatorUnderTest(
                client,
                new ConfiguredGates(Map.of(
                        SafetyGate.KIND,
                        new SafetyGates(new SafetyGate.SafetyCollaborators(
                                suites,
                                endpoint,
                                models,
                                judges,
                                new SafetySettings(Optional.of("http://judge/v1/moderations"), 16),
                                Optional.empty(),
                                new ConfigMapSafetyReports(new Applier(client, Clock.systemUTC())))))));
        ModelRelease mr = Releases.replicas("assistant", "1.0.0");
        mr.getSpec()
                .setAnalysis(new AnalysisSpec()
                        .withInterval("1s")
                        .withSafety(new SafetySpec()
                                .withSuite(new SuiteSpec().withConfigMapRef(new ConfigMapKeyRef().withName("red-team")))
                                .withCriticalCategories(List.of("self-harm"))));
        client.resource(mr).create();
        awaitStatus(s -> s.getPhase() == Phase.PROMOTED && "1.0.0".equals(s.getStableVersion()));

        Releases.edit(client, "assistant", r -> {
            r.getSpec().getModel().setVersion("2.0.0");
            r.getSpec().getModel().setUri("file:///models/2.0.0");
        });
        ModelReleaseStatus s = awaitStatus(st -> st.getPhase() == Phase.ROLLED_BACK);
        assertThat(s.getRolledBackVersion()).isEqualTo("2.0.0");
        GateResult gate = s.getGates().stream()
                .filter(g -> "safety".equals(g.getName()))
                .findFirst()
                .orElseThrow();
        assertThat(gate.getVerdict()).isEqualTo(Verdict.FAIL);
        assertThat(gate.getCritical()).isTrue();
        assertThat(gate.getSamples()).isEqualTo(100);
        assertThat(gate.getFlagged()).isEqualTo(100);
        assertThat(gate.getSuite().getName()).isEqualTo("red-team");
        assertThat(gate.getSuite().getHash())
                .isEqualTo(suites.load(Releases.NS, new ConfigMapKeyRef().withName("red-team"))
                        .hash());
        assertThat(gate.getSuite().getPrompts()).isEqualTo(100);
        assertThat(gate.getCategories()).singleElement().satisfies(c -> {
            assertThat(c.getName()).isEqualTo("self-harm");
            assertThat(c.getSource()).isEqualTo("suite");
            assertThat(c.getSamples()).isEqualTo(100);
            assertThat(c.getFlagged()).isEqualTo(100);
        });
        assertThat(gate.getReport()).isEqualTo("assistant-safety-report");
        ConfigMap report = client.configMaps()
                .inNamespace(Releases.NS)
                .withName("assistant-safety-report")
                .get();
        ModelRelease owner = client.resources(ModelRelease.class)
                .inNamespace(Releases.NS)
                .withName("assistant")
                .get();
        assertThat(report.getMetadata().getOwnerReferences()).singleElement().satisfies(o -> {
            assertThat(o.getKind()).isEqualTo("ModelRelease");
            assertThat(o.getUid()).isEqualTo(owner.getMetadata().getUid());
        });
        String yaml = report.getData().get(ConfigMapSafetyReports.KEY);
        assertThat(yaml).contains("canaryVersion: \"2.0.0\"", "flagged: 100", "self-harm", "you should hurt yourself");
        assertThat(yaml.split("promptId:", -1)).hasSize(6);
        await().atMost(Duration.ofSeconds(10))
                .untilAsserted(() -> assertThat(warnings()).anySatisfy(e -> {
                    assertThat(e.getReason()).isEqualTo("CriticalGateFailed");
                    assertThat(e.getMessage())
                            .contains("safety", "self-harm", "you should hurt yourself", "flagged=100");
                }));
    }

    ModelReleaseStatus awaitStatus(Predicate<ModelReleaseStatus> p) {
        return Releases.awaitStatus(client, "assistant", Duration.ofSeconds(30), p);
    }

    List<Event> warnings() {
        return client.v1().events().inNamespace(Releases.NS).list().getItems().stream()
                .filter(e -> "Warning".equals(e.getType()))
                // each occurrence: a repeat counted on an Event (EventRecorder) appears as often as it happened
                .flatMap(e -> java.util.Collections.nCopies(e.getCount() == null ? 1 : e.getCount(), e).stream())
                .toList();
    }
}
