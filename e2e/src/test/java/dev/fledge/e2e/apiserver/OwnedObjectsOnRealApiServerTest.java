package dev.fledge.e2e.apiserver;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import dev.fledge.api.ModelRelease;
import dev.fledge.api.status.ModelReleaseStatus;
import dev.fledge.api.status.Phase;
import dev.fledge.core.rollout.Conditions;
import dev.fledge.e2e.rollout.ProductionReconciler;
import dev.fledge.e2e.rollout.RolloutScenario;
import dev.fledge.e2e.rollout.TestReleases;
import dev.fledge.testsupport.DeploymentReadiness;
import dev.fledge.testsupport.GatewaySimulator;
import dev.fledge.testsupport.InProcessOperator;
import io.fabric8.kubernetes.client.KubernetesClient;
import io.fabric8.kubernetes.client.KubernetesClientBuilder;
import io.fabric8.kubernetes.client.http.BasicBuilder;
import io.fabric8.kubernetes.client.http.HttpRequest;
import io.fabric8.kubernetes.client.http.Interceptor;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.atomic.AtomicInteger;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Tag;
import org.junit.jupiter.api.Test;

/**
 * Issue 20 (requests per transition), the informers of the Services and HTTPRoutes the operator makes
 * ({@code OwnedObjects}). While a route waits for its Gateway, the operator reads its acceptance from the informer,
 * not with a GET of the route on every pass (every 2 s); the Gateway's answer, a status change,
 * wakes the release; writing a route that exists needs no GET either (its owner is read from the informer's copy).
 * Before the informer this test counted one GET of the route per pass while it waited, and one before each write.
 */
@Tag("apiserver")
class OwnedObjectsOnRealApiServerTest {
    static final String NS = "route-informer";
    static KubernetesClient admin;

    KubernetesClient operatorClient;
    InProcessOperator operator;
    GatewaySimulator gateway;
    DeploymentReadiness kubelet;
    final AtomicInteger routeGets = new AtomicInteger();

    @BeforeAll
    static void installCrds() {
        admin = RealApiServer.shared().client();
        var cluster = new ClusterResources(admin);
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
        if (operatorClient != null) {
            operatorClient.close();
        }
    }

    @Test
    void aRouteWaitingForItsGatewayIsNotReadWithAGetPerPassAndItsAcceptanceMovesTheRolloutOn() throws Exception {
        withGateway(NS);
        // the operator's own client, counting its GETs of single HTTPRoutes
        operatorClient = new KubernetesClientBuilder()
                .withConfig(admin.getConfiguration())
                .withHttpClientBuilderConsumer(b -> b.addOrReplaceInterceptor("count-route-gets", new Interceptor() {
                    @Override
                    public void before(BasicBuilder builder, HttpRequest request, RequestTags tags) {
                        String path = request.uri().getPath();
                        if ("GET".equals(request.method())
                                && path.contains("/httproutes/")
                                && request.uri().getQuery() == null) {
                            routeGets.incrementAndGet();
                        }
                    }
                }))
                .build();
        operator = InProcessOperator.watching(operatorClient, ProductionReconciler.withoutGates(operatorClient), NS);
        RolloutScenario scenario = new RolloutScenario(admin, NS, "assistant", Duration.ofSeconds(60));
        scenario.firstReleaseIsPromoted(TestReleases.gatewayApi(NS, "assistant", "1.0.0", "public-gw"));

        gateway.hold(); // the Gateway takes its time with every new route generation
        routeGets.set(0); // from here on the routes exist: neither a write nor a wait needs a GET
        ModelRelease next = TestReleases.gatewayApi(NS, "assistant", "2.0.0", "public-gw");
        scenario.apply(next);
        scenario.awaitStatus("a route waits for its Gateway", OwnedObjectsOnRealApiServerTest::routeWaits);
        Thread.sleep(7_000); // three acceptance retries (ModelReleaseReconciler.ACCEPTANCE_RETRY, 2 s)
        assertThat(routeGets)
                .as("GETs of a single HTTPRoute while it waited for its Gateway")
                .hasValue(0);
        assertThat(routeWaits(scenario.view().release().getStatus()))
                .as("still waiting: the informer's copy says not accepted")
                .isTrue();

        gateway.accept();
        scenario.awaitStatus(
                "2.0.0 promoted once the Gateway accepts, and its last route accepted",
                s -> s.getPhase() == Phase.PROMOTED && "2.0.0".equals(s.getStableVersion()) && !routeWaits(s));
        assertThat(routeGets)
                .as("GETs of a single HTTPRoute during the whole rollout")
                .hasValue(0);
    }

    /**
     * A Service of the release edited by someone else is put right at once: the edit is an informer event. Before, the
     * operator applied its Services again every 5 minutes, or at the next change of the split; this test's 30 s wait
     * ran out.
     */
    @Test
    void aServiceEditedBySomeoneElseIsPutRightAtOnce() {
        String ns = NS + "-svc";
        withGateway(ns);
        operator = InProcessOperator.watching(admin, ProductionReconciler.withoutGates(admin), ns);
        RolloutScenario scenario = new RolloutScenario(admin, ns, "assistant", Duration.ofSeconds(60));
        scenario.firstReleaseIsPromoted(TestReleases.gatewayApi(ns, "assistant", "1.0.0", "public-gw"));

        var stable = admin.services().inNamespace(ns).withName("assistant-stable");
        Map<String, String> wanted = stable.get().getSpec().getSelector();
        stable.edit(s -> {
            s.getSpec().setSelector(Map.of("app", "someone-elses-pods"));
            return s;
        });
        await().atMost(Duration.ofSeconds(30))
                .pollInterval(Duration.ofMillis(200))
                .untilAsserted(() -> assertThat(stable.get().getSpec().getSelector())
                        .as("the stable Service's selector, put back by the operator")
                        .isEqualTo(wanted));
    }

    /** The namespace, with pods made ready, a simulated Gateway controller and the Gateway {@code public-gw}. */
    private void withGateway(String ns) {
        new ClusterResources(admin).ensureNamespace(ns);
        kubelet = new DeploymentReadiness(admin, ns);
        gateway = GatewaySimulator.start(admin, Set.of(ns));
        admin.resource(OperatorOnRealApiServerTest.gateway(ns, "public-gw"))
                .fieldManager(ClusterResources.FIELD_MANAGER)
                .serverSideApply();
    }

    static boolean routeWaits(ModelReleaseStatus s) {
        return s.getConditions() != null
                && s.getConditions().stream()
                        .anyMatch(
                                c -> Conditions.ROUTE_NOT_ACCEPTED.equals(c.getType()) && "True".equals(c.getStatus()));
    }
}
