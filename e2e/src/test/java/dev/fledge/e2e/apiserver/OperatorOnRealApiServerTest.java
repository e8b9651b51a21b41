package dev.fledge.e2e.apiserver;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import dev.fledge.api.ModelRelease;
import dev.fledge.api.spec.AnalysisSpec;
import dev.fledge.api.spec.JudgeKind;
import dev.fledge.api.spec.JudgeSpec;
import dev.fledge.api.spec.SafetySpec;
import dev.fledge.api.spec.ServerSpec;
import dev.fledge.api.spec.UpstreamSpec;
import dev.fledge.api.status.ModelReleaseStatus;
import dev.fledge.api.status.ServingStatus;
import dev.fledge.e2e.rollout.ProductionReconciler;
import dev.fledge.e2e.rollout.Quickstart;
import dev.fledge.e2e.rollout.RolloutScenario;
import dev.fledge.e2e.rollout.TestReleases;
import dev.fledge.operator.workload.ServingConfig;
import dev.fledge.testsupport.DeploymentReadiness;
import dev.fledge.testsupport.GatewaySimulator;
import dev.fledge.testsupport.InProcessOperator;
import io.fabric8.kubernetes.api.model.Container;
import io.fabric8.kubernetes.api.model.PodTemplateSpecBuilder;
import io.fabric8.kubernetes.api.model.gatewayapi.v1.Gateway;
import io.fabric8.kubernetes.api.model.gatewayapi.v1.GatewayBuilder;
import io.fabric8.kubernetes.client.KubernetesClient;
import java.time.Duration;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Tag;
import org.junit.jupiter.api.Test;

/**
 * The production reconciler on a real API server, server-side apply on: 1.0.0 is promoted,
 * 2.0.0 goes through internal, closed and public 25/50/100 to Promoted, then 3.0.0 is aborted
 * and rolled back; once per router. The real schemas (the ModelRelease CRD, Gateway API
 * v1.4.0, core Events, Deployments, Services) and field ownership judge every write.
 */
@Tag("apiserver")
class OperatorOnRealApiServerTest {

    static final Duration STEP_TIMEOUT = Duration.ofSeconds(30);

    static KubernetesClient client;
    InProcessOperator operator;
    GatewaySimulator gateway;
    DeploymentReadiness kubelet;

    @BeforeAll
    static void installCrds() {
        client = RealApiServer.shared().client();
        var cluster = new ClusterResources(client);
        cluster.installCrds(List.of(RepoFiles.modelReleaseCrd()));
        cluster.installCrds(RepoFiles.gatewayApiCrds());
    }

    @AfterEach
    void stop() {
        if (operator != null) {
            operator.close();
        }
        if (gateway != null) {
            gateway.close();
        }
        if (kubelet != null) {
            kubelet.close();
        }
    }

    private RolloutScenario start(String namespace) {
        new ClusterResources(client).ensureNamespace(namespace);
        kubelet = new DeploymentReadiness(client, namespace);
        gateway = GatewaySimulator.start(client, Set.of(namespace)); // the Gateway controller: accepts the routes
        operator = InProcessOperator.watching(client, ProductionReconciler.withoutGates(client), namespace);
        return new RolloutScenario(client, namespace, "assistant", STEP_TIMEOUT);
    }

    @Test
    void replicasRouterPromotesThroughEveryStageThenAnAbortRollsBack() {
        String ns = "rollout-replicas";
        RolloutScenario scenario = start(ns);

        scenario.firstReleaseIsPromoted(TestReleases.replicas(ns, "assistant", "1.0.0"));
        scenario.replicasRolloutIsPromoted(TestReleases.replicas(ns, "assistant", "2.0.0"));
        scenario.everythingWasServerSideApplied();
        scenario.abortedRolloutRollsBack(TestReleases.replicas(ns, "assistant", "3.0.0"), false);
    }

    @Test
    void gatewayApiRouterWritesASchemaValidRouteThroughEveryStageThenAnAbortRollsBack() {
        String ns = "rollout-gateway-api";
        RolloutScenario scenario = start(ns);
        client.resource(gateway(ns, "public-gw"))
                .fieldManager(ClusterResources.FIELD_MANAGER)
                .serverSideApply();

        scenario.firstReleaseIsPromoted(TestReleases.gatewayApi(ns, "assistant", "1.0.0", "public-gw"));
        scenario.gatewayApiRolloutIsPromoted(
                TestReleases.gatewayApi(ns, "assistant", "2.0.0", "public-gw"), "public-gw");
        scenario.everythingWasServerSideApplied();
        scenario.abortedRolloutRollsBack(TestReleases.gatewayApi(ns, "assistant", "3.0.0", "public-gw"), true);
    }

    /**
     * Issue 17: a release of another server's image behind the Fledge sidecar. The real API server accepts the pod the
     * operator writes (two containers, the server's args and port, the sidecar's ports and probes), and every Service
     * targets a port of the sidecar: the public one its public port, where the audience is forced to public.
     */
    @Test
    void anUpstreamReleaseRunsBehindTheSidecarAndItsServicesTargetTheSidecar() {
        String ns = "rollout-upstream";
        RolloutScenario scenario = start(ns);
        ModelRelease mr = TestReleases.replicas(ns, "assistant", "1.0.0");
        mr.getSpec()
                .setServer(new ServerSpec()
                        .withImage("vllm/vllm-openai:v0.9.1")
                        .withUpstream(new UpstreamSpec().withPort(8000).withReadinessPath("/health"))
                        .withTemplate(new PodTemplateSpecBuilder()
                                .withNewSpec()
                                .addNewContainer()
                                .withName("model-server")
                                .withArgs("--model", "/models/llama", "--port", "8000")
                                .endContainer()
                                .endSpec()
                                .build()));

        scenario.firstReleaseIsPromoted(mr);

        var pod = client.apps()
                .deployments()
                .inNamespace(ns)
                .withName("assistant-stable")
                .get()
                .getSpec()
                .getTemplate()
                .getSpec();
        assertThat(pod.getContainers()).extracting(Container::getName).containsExactly("model-server", "fledge-proxy");
        assertThat(pod.getContainers().get(0).getArgs()).containsExactly("--model", "/models/llama", "--port", "8000");
        Map<String, String> portOwner = new HashMap<>();
        pod.getContainers().forEach(c -> c.getPorts().forEach(p -> portOwner.put(p.getName(), c.getName())));
        assertThat(portOwner)
                .containsEntry("upstream", "model-server")
                .containsEntry("http", "fledge-proxy")
                .containsEntry("http-public", "fledge-proxy");
        var services = client.services().inNamespace(ns).list().getItems();
        assertThat(services).isNotEmpty();
        for (var service : services) {
            String target = service.getSpec().getPorts().get(0).getTargetPort().getStrVal();
            assertThat(portOwner.get(target))
                    .as("Service %s targets %s", service.getMetadata().getName(), target)
                    .isEqualTo("fledge-proxy");
        }
        assertThat(services)
                .filteredOn(s -> s.getMetadata().getName().equals("assistant"))
                .singleElement()
                .satisfies(s -> assertThat(
                                s.getSpec().getPorts().get(0).getTargetPort().getStrVal())
                        .isEqualTo("http-public"));
    }

    /**
     * Issue 17 part 3: live outputs judged by a classifier. The canary pods the operator writes get the model server's
     * settings for it, and the real API server keeps the judge recorded with a track's serving configuration
     * ({@code status.stable.liveJudge}: the status schema holds JudgeSpec's rules too).
     */
    @Test
    void aReleaseWhoseLiveOutputsAClassifierJudgesGivesItsPodsTheJudgeAndItsStatusKeepsIt() {
        String ns = "rollout-live-judge";
        start(ns);
        JudgeSpec judge = new JudgeSpec()
                .withKind(JudgeKind.LLAMA_GUARD)
                .withUrl("http://llama-guard.safety:8000/v1/chat/completions")
                .withModel("meta-llama/Llama-Guard-3-8B")
                .withCategories(Map.of("S11", "suicide"))
                .withLiveOutputs(true);
        ModelRelease mr = TestReleases.replicas(ns, "assistant", "1.0.0");
        mr.getSpec()
                .setAnalysis(new AnalysisSpec()
                        .withSafety(new SafetySpec().withOnline(true).withJudge(judge)));
        client.resource(mr).create();

        Map<String, String> env = new HashMap<>();
        await().atMost(STEP_TIMEOUT).untilAsserted(() -> {
            var d = client.apps()
                    .deployments()
                    .inNamespace(ns)
                    .withName("assistant-canary")
                    .get();
            assertThat(d).as("the canary Deployment").isNotNull();
            d.getSpec()
                    .getTemplate()
                    .getSpec()
                    .getContainers()
                    .get(0)
                    .getEnv()
                    .forEach(e -> env.put(e.getName(), e.getValue()));
        });
        assertThat(env)
                .containsEntry("FLEDGE_GUARD_JUDGE_URL", "http://llama-guard.safety:8000/v1/chat/completions")
                .containsEntry("FLEDGE_GUARD_JUDGE_MODEL", "meta-llama/Llama-Guard-3-8B")
                .containsEntry("FLEDGE_GUARD_JUDGE_TIMEOUT", "10000ms");
        assertThat(env.get("FLEDGE_GUARD_JUDGE_CATEGORIES")).contains("S11=suicide");

        // the status as the operator records it at a promotion, written where no operator watches
        String other = "live-judge-status";
        new ClusterResources(client).ensureNamespace(other);
        ModelRelease recorded = TestReleases.replicas(other, "assistant", "1.0.0");
        recorded.getSpec().setAnalysis(mr.getSpec().getAnalysis());
        recorded = client.resource(recorded).create();
        ServingStatus stable = new ServingConfig(ProductionReconciler.SERVER).of(recorded);
        recorded.setStatus(new ModelReleaseStatus());
        recorded.getStatus().setStable(stable);
        client.resource(recorded).updateStatus();
        var kept = client.resources(ModelRelease.class)
                .inNamespace(other)
                .withName("assistant")
                .get()
                .getStatus()
                .getStable();
        assertThat(kept.getLiveJudge().getUrl()).isEqualTo(judge.getUrl());
        assertThat(kept.getLiveJudge().getCategories()).containsEntry("S11", "suicide");
        assertThat(kept.getLiveJudge().getLiveOutputs()).isNull();
        assertThat(kept.getConfigHash()).isEqualTo(stable.getConfigHash());
    }

    /**
     * The k3s tier applies examples/quickstart.yaml with its model on a node directory (that tier
     * cannot run everywhere): the real schema accepts exactly those objects.
     */
    @Test
    void quickstartAsTheK3sTierEditsItIsAcceptedByTheRealSchema() {
        String ns = "quickstart-k3s-edits";
        var cluster = new ClusterResources(client);
        cluster.ensureNamespace(ns);
        var json = client.getKubernetesSerialization();
        for (var mr : List.of(
                Quickstart.at(json, RepoFiles.repo(), "1.0.0", "v1"),
                Quickstart.at(json, RepoFiles.repo(), "2.0.0", "v2"))) {
            var accepted = cluster.dryRunApply(mr, ns);
            assertThat(accepted.getSpec().getServer().getTemplate().getSpec().getVolumes())
                    .singleElement()
                    .satisfies(v -> assertThat(v.getHostPath().getPath()).isEqualTo(Quickstart.NODE_MODELS_DIR));
        }
    }

    /** A Gateway for the route's parentRef (no controller here: it is never programmed). */
    static Gateway gateway(String namespace, String name) {
        return new GatewayBuilder()
                .withNewMetadata()
                .withName(name)
                .withNamespace(namespace)
                .endMetadata()
                .withNewSpec()
                .withGatewayClassName("example")
                .addNewListener()
                .withName("http")
                .withProtocol("HTTP")
                .withPort(80)
                .endListener()
                .endSpec()
                .build();
    }
}
