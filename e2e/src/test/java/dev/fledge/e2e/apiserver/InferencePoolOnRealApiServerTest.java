package dev.fledge.e2e.apiserver;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import dev.fledge.api.ModelRelease;
import dev.fledge.api.spec.InferencePoolSpec;
import dev.fledge.api.status.ModelReleaseStatus;
import dev.fledge.api.status.Phase;
import dev.fledge.e2e.rollout.ProductionReconciler;
import dev.fledge.e2e.rollout.RolloutScenario;
import dev.fledge.e2e.rollout.TestReleases;
import dev.fledge.operator.routing.InferencePool;
import dev.fledge.testsupport.DeploymentReadiness;
import dev.fledge.testsupport.GatewaySimulator;
import dev.fledge.testsupport.InProcessOperator;
import dev.fledge.testsupport.UserEdits;
import io.fabric8.kubernetes.api.model.ServiceBuilder;
import io.fabric8.kubernetes.api.model.gatewayapi.v1.HTTPRoute;
import io.fabric8.kubernetes.client.KubernetesClient;
import java.time.Duration;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Tag;
import org.junit.jupiter.api.Test;

/**
 * Issue 17, item 5: the gatewayAPI router's InferencePool backend on a real API server, judged by the vendored
 * Gateway API Inference Extension v1.0.0 CRD and Gateway API v1.4.0. Its own API server, since the first step runs
 * without the InferencePool CRD, which the shared one may hold.
 */
@Tag("apiserver")
class InferencePoolOnRealApiServerTest {
    static final Duration STEP_TIMEOUT = Duration.ofSeconds(30);
    static final String NS = "inference-pools";

    static RealApiServer server;
    static KubernetesClient client;
    InProcessOperator operator;
    GatewaySimulator gateway;
    DeploymentReadiness kubelet;

    @BeforeAll
    static void start() {
        server = RealApiServer.dedicated();
        client = server.client();
        var cluster = new ClusterResources(client);
        cluster.installCrds(List.of(RepoFiles.modelReleaseCrd()));
        cluster.installCrds(RepoFiles.gatewayApiCrds());
    }

    @AfterAll
    static void stopServer() {
        if (server != null) {
            server.close();
        }
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

    static ModelRelease withPools(ModelRelease mr) {
        mr.getSpec().getTraffic().getGatewayAPI().setInferencePool(new InferencePoolSpec());
        return mr;
    }

    static InferencePool pool(String name) {
        return client.resources(InferencePool.class)
                .inNamespace(NS)
                .withName(name)
                .get();
    }

    static List<String> backendKinds() {
        return client
                .resources(HTTPRoute.class)
                .inNamespace(NS)
                .withName("assistant")
                .get()
                .getSpec()
                .getRules()
                .stream()
                .flatMap(r -> r.getBackendRefs().stream())
                .map(b -> b.getGroup() + "/" + b.getKind())
                .distinct()
                .toList();
    }

    @Test
    void
            aReleaseIsInvalidUntilThePoolCrdAndPickersAreThereThenARolloutMovesThePoolsWeightsAndTakingThemOutDeletesThem() {
        new ClusterResources(client).ensureNamespace(NS);
        kubelet = new DeploymentReadiness(client, NS);
        gateway = GatewaySimulator.start(client, Set.of(NS));
        operator = InProcessOperator.watching(client, ProductionReconciler.withoutGates(client), NS);
        client.resource(OperatorOnRealApiServerTest.gateway(NS, "public-gw"))
                .fieldManager(ClusterResources.FIELD_MANAGER)
                .serverSideApply();
        RolloutScenario scenario = new RolloutScenario(client, NS, "assistant", STEP_TIMEOUT);

        // no InferencePool CRD and no endpoint pickers: Invalid, saying what to install and run
        scenario.apply(withPools(TestReleases.gatewayApi(NS, "assistant", "1.0.0", "public-gw")));
        await().atMost(STEP_TIMEOUT).untilAsserted(() -> {
            ModelReleaseStatus st = scenario.view().release().getStatus();
            assertThat(st).isNotNull();
            assertThat(st.getPhase()).isEqualTo(Phase.INVALID);
            assertThat(st.getMessage())
                    .contains("this cluster does not serve InferencePool inference.networking.k8s.io/v1")
                    .contains("Service inference-pools/assistant-canary-epp not found");
        });
        assertThat(client.resources(HTTPRoute.class)
                        .inNamespace(NS)
                        .withName("assistant")
                        .get())
                .as("no route names pools that are not there")
                .isNull();

        // the CRD installed and the pickers' Services there: the release goes on at its next reconcile (here an
        // edit; else the resync, 5 minutes)
        for (String track : List.of("stable", "canary")) {
            client.resource(new ServiceBuilder()
                            .withNewMetadata()
                            .withName("assistant-" + track + "-epp")
                            .withNamespace(NS)
                            .endMetadata()
                            .withNewSpec()
                            .addToSelector("app", "assistant-" + track + "-epp")
                            .addNewPort()
                            .withPort(9002)
                            .endPort()
                            .endSpec()
                            .build())
                    .fieldManager(ClusterResources.FIELD_MANAGER)
                    .serverSideApply();
        }
        new ClusterResources(client).installCrds(RepoFiles.inferencePoolCrds());
        UserEdits.edit(client.resources(ModelRelease.class).inNamespace(NS).withName("assistant"), mr -> {
            Map<String, String> annotations = mr.getMetadata().getAnnotations() == null
                    ? new HashMap<>()
                    : new HashMap<>(mr.getMetadata().getAnnotations());
            annotations.put("example.com/touched", "crd-installed");
            mr.getMetadata().setAnnotations(annotations);
            return mr;
        });
        scenario.firstReleaseIsPromoted(withPools(TestReleases.gatewayApi(NS, "assistant", "1.0.0", "public-gw")));

        // the pools as the API server stored them: one per track, its pods, the server port, its endpoint picker
        for (String track : List.of("stable", "canary")) {
            InferencePool p = pool("assistant-" + track);
            assertThat(p).as("pool of %s", track).isNotNull();
            assertThat(p.getSpec().selector().matchLabels())
                    .isEqualTo(Map.of("fledge.dev/release", "assistant", "fledge.dev/track", track));
            assertThat(p.getSpec().targetPorts()).containsExactly(new InferencePool.Port(8080));
            assertThat(p.getSpec().endpointPickerRef())
                    .isEqualTo(new InferencePool.EndpointPickerRef(
                            "assistant-" + track + "-epp", new InferencePool.Port(9002), "FailClose"));
            assertThat(p.getMetadata().getManagedFields())
                    .extracting(m -> m.getManager() + ":" + m.getOperation())
                    .contains("fledge-operator:Apply");
        }
        assertThat(backendKinds()).containsExactly("inference.networking.k8s.io/InferencePool");

        // a rollout through every stage: the same route steps as with Services, each backendRef a pool
        scenario.gatewayApiRolloutIsPromoted(
                withPools(TestReleases.gatewayApi(NS, "assistant", "2.0.0", "public-gw")), "public-gw");
        assertThat(backendKinds()).containsExactly("inference.networking.k8s.io/InferencePool");
        // an abort at closed: everyone back on the stable pool
        scenario.abortedRolloutRollsBack(
                withPools(TestReleases.gatewayApi(NS, "assistant", "3.0.0", "public-gw")), true);
        assertThat(backendKinds()).containsExactly("inference.networking.k8s.io/InferencePool");

        // inferencePool taken out, the aborted version left in the spec (no rollout): the route names the Services
        // again, then the pools are deleted
        scenario.apply(TestReleases.gatewayApi(NS, "assistant", "3.0.0", "public-gw"));
        await().atMost(STEP_TIMEOUT).untilAsserted(() -> {
            assertThat(backendKinds()).containsExactly("/Service");
            assertThat(pool("assistant-stable")).isNull();
            assertThat(pool("assistant-canary")).isNull();
        });
        assertThat(scenario.view().release().getStatus().getPhase()).isEqualTo(Phase.ROLLED_BACK);
        assertThat(scenario.view().release().getStatus().getStableVersion()).isEqualTo("2.0.0");
    }
}
