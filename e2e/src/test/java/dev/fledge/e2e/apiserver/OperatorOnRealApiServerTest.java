package dev.fledge.e2e.apiserver;

import static org.assertj.core.api.Assertions.assertThat;

import dev.fledge.e2e.rollout.ProductionReconciler;
import dev.fledge.e2e.rollout.Quickstart;
import dev.fledge.e2e.rollout.RolloutScenario;
import dev.fledge.e2e.rollout.TestReleases;
import dev.fledge.testsupport.DeploymentReadiness;
import dev.fledge.testsupport.GatewaySimulator;
import dev.fledge.testsupport.InProcessOperator;
import io.fabric8.kubernetes.api.model.gatewayapi.v1.Gateway;
import io.fabric8.kubernetes.api.model.gatewayapi.v1.GatewayBuilder;
import io.fabric8.kubernetes.client.KubernetesClient;
import java.time.Duration;
import java.util.List;
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
