package dev.fledge.operator.mock;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import dev.fledge.api.Labels;
import dev.fledge.api.ModelRelease;
import dev.fledge.api.spec.AudienceRouteSpec;
import dev.fledge.api.spec.GatewayApiSpec;
import dev.fledge.api.spec.HeaderAudiencesSpec;
import dev.fledge.api.spec.HeaderTrust;
import dev.fledge.api.spec.ParentReference;
import dev.fledge.api.spec.Router;
import dev.fledge.api.status.ModelReleaseStatus;
import dev.fledge.api.status.Phase;
import dev.fledge.operator.gates.ConfiguredGates;
import dev.fledge.testsupport.DeploymentReadiness;
import dev.fledge.testsupport.MockCluster;
import io.fabric8.kubernetes.api.model.NamespaceBuilder;
import io.fabric8.kubernetes.api.model.ObjectMetaBuilder;
import io.fabric8.kubernetes.api.model.Service;
import io.fabric8.kubernetes.api.model.gatewayapi.v1.HTTPRoute;
import io.fabric8.kubernetes.api.model.gatewayapi.v1.HTTPRouteSpec;
import io.fabric8.kubernetes.client.KubernetesClient;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.function.Consumer;
import java.util.function.Predicate;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

/**
 * The routes of a release follow its spec on the mock API server: routes the release owns and no longer wants are
 * removed (issue 14, item 12), never one it does not own; header audiences are an opt-in that carries a warning
 * condition on a public listener (issue 15, finding 5).
 */
class RoutesOnMockApiServerTest {
    static final Duration WAIT = Duration.ofSeconds(30);

    MockCluster cluster;
    KubernetesClient client;
    DeploymentReadiness kubelet;
    OperatorUnderTest operator;

    @BeforeEach
    void start() throws Exception {
        cluster = new MockCluster();
        client = cluster.client();
        client.namespaces()
                .resource(new NamespaceBuilder()
                        .withNewMetadata()
                        .withName(Releases.NS)
                        .endMetadata()
                        .build())
                .create();
        client.resource(RolloutOnMockApiServerTest.gateway("public-gw")).create();
        client.resource(RolloutOnMockApiServerTest.gateway("internal-gw")).create();
        kubelet = new DeploymentReadiness(client);
        operator = new OperatorUnderTest(client, new ConfiguredGates(Map.of()));
    }

    @AfterEach
    void stop() {
        if (operator != null) {
            operator.close();
        }
        kubelet.close();
        cluster.close();
    }

    @Test
    void renamingTheHttpRouteRemovesTheOldRouteAndNeverOneTheReleaseDoesNotOwn() {
        // someone else's route that carries the release's label: the label alone never makes it the operator's
        client.resource(foreignRoute("assistant-legacy")).create();
        client.resource(release(audiencesOnInternalGateway())).create();
        awaitStatus(s -> s.getPhase() == Phase.PROMOTED);
        assertThat(routes())
                .containsExactlyInAnyOrder("assistant", "assistant-internal", "assistant-closed", "assistant-legacy");

        edit(mr -> mr.getSpec().getTraffic().getGatewayAPI().setHttpRoute("chat"));

        awaitRoutes("chat", "chat-internal", "chat-closed", "assistant-legacy");
    }

    @Test
    void movingAnAudienceBetweenItsOwnRouteAndAHeaderRuleLeavesNoRouteBehind() {
        client.resource(release(audiencesOnInternalGateway()
                        .withHeaderAudiences(new HeaderAudiencesSpec().withTrust(HeaderTrust.PRIVATE_LISTENER))))
                .create();
        awaitStatus(s -> s.getPhase() == Phase.PROMOTED);
        awaitRoutes("assistant", "assistant-internal", "assistant-closed");

        // internal: from its own Gateway to a header rule in the release's route
        edit(mr -> mr.getSpec().getTraffic().getGatewayAPI().setInternal(null));
        awaitRoutes("assistant", "assistant-closed");
        assertThat(headerValues("assistant")).containsExactly("internal");

        // and back to a hostname: the header rule goes, its own route comes
        edit(mr -> mr.getSpec()
                .getTraffic()
                .getGatewayAPI()
                .setInternal(new AudienceRouteSpec().withHostnames(List.of("internal.assistant.example.com"))));
        awaitRoutes("assistant", "assistant-internal", "assistant-closed");
        await().atMost(WAIT)
                .untilAsserted(() -> assertThat(headerValues("assistant")).isEmpty());
    }

    @Test
    void changingTheRouterToReplicasRemovesTheReleasesRoutesAndBackRemovesItsAudienceServices() {
        client.resource(release(audiencesOnInternalGateway())).create();
        awaitStatus(s -> s.getPhase() == Phase.PROMOTED);
        awaitRoutes("assistant", "assistant-internal", "assistant-closed");

        edit(mr -> mr.getSpec().getTraffic().setRouter(Router.REPLICAS));
        awaitRoutes();
        await().atMost(WAIT)
                .untilAsserted(() -> assertThat(services()).contains("assistant-internal", "assistant-closed"));

        // back within the applier's reassert period: the routes are written again, not skipped as unchanged
        edit(mr -> mr.getSpec().getTraffic().setRouter(Router.GATEWAY_API));
        awaitRoutes("assistant", "assistant-internal", "assistant-closed");
        await().atMost(WAIT)
                .untilAsserted(() -> assertThat(services()).doesNotContain("assistant-internal", "assistant-closed"));
        assertThat(services()).contains("assistant", "assistant-stable", "assistant-canary");
    }

    @Test
    void headerAudiencesOnThePublicListenerCarryAWarningConditionUntilTheyMove() {
        client.resource(release(new GatewayApiSpec()
                        .withParentRefs(List.of(new ParentReference().withName("public-gw")))
                        .withHeaderAudiences(new HeaderAudiencesSpec().withTrust(HeaderTrust.AUTH_PROXY))))
                .create();
        ModelReleaseStatus s = awaitStatus(st -> st.getPhase() == Phase.PROMOTED && warning(st) != null);
        var w = warning(s);
        assertThat(w.getStatus()).isEqualTo("True");
        assertThat(w.getMessage())
                .startsWith("internal (header X-Fledge-Audience), closed (header X-Fledge-Audience) share the public"
                        + " listeners [public-gw]");
        // the public rule still strips the header, and a header rule sets its own audience
        var rules = route("assistant").getSpec().getRules();
        assertThat(rules.get(rules.size() - 1)
                        .getFilters()
                        .get(0)
                        .getRequestHeaderModifier()
                        .getRemove())
                .contains(Labels.AUDIENCE_HEADER);

        edit(mr -> mr.getSpec().getTraffic().setGatewayAPI(audiencesOnInternalGateway()));
        awaitStatus(st -> st.getPhase() == Phase.PROMOTED && warning(st) == null);
    }

    @Test
    void anAudienceStageWithoutItsOwnRouteOrTheHeaderOptInIsInvalid() {
        client.resource(release(
                        new GatewayApiSpec().withParentRefs(List.of(new ParentReference().withName("public-gw")))))
                .create();
        ModelReleaseStatus s = awaitStatus(st -> st.getPhase() == Phase.INVALID);
        assertThat(s.getMessage())
                .contains("spec.traffic.gatewayAPI.internal: the internal stage needs hostnames or parentRefs")
                .contains("spec.traffic.gatewayAPI.headerAudiences");
        assertThat(routes()).isEmpty();
    }

    // --- helpers

    static GatewayApiSpec audiencesOnInternalGateway() {
        return new GatewayApiSpec()
                .withParentRefs(List.of(new ParentReference().withName("public-gw")))
                .withInternal(new AudienceRouteSpec()
                        .withParentRefs(List.of(
                                new ParentReference().withName("internal-gw").withSectionName("internal"))))
                .withClosed(new AudienceRouteSpec()
                        .withParentRefs(List.of(
                                new ParentReference().withName("internal-gw").withSectionName("closed"))));
    }

    static ModelRelease release(GatewayApiSpec spec) {
        ModelRelease mr = Releases.gatewayApi("assistant", "1.0.0");
        mr.getSpec().getTraffic().setGatewayAPI(spec);
        return mr;
    }

    static HTTPRoute foreignRoute(String name) {
        HTTPRoute r = new HTTPRoute();
        r.setMetadata(new ObjectMetaBuilder()
                .withName(name)
                .withNamespace(Releases.NS)
                .addToLabels(Labels.RELEASE, "assistant")
                .build());
        r.setSpec(new HTTPRouteSpec());
        return r;
    }

    void edit(Consumer<ModelRelease> change) {
        client.resources(ModelRelease.class)
                .inNamespace(Releases.NS)
                .withName("assistant")
                .edit(mr -> {
                    change.accept(mr);
                    return mr;
                });
    }

    ModelReleaseStatus awaitStatus(Predicate<ModelReleaseStatus> p) {
        return Releases.awaitStatus(client, "assistant", WAIT, p);
    }

    static io.fabric8.kubernetes.api.model.Condition warning(ModelReleaseStatus s) {
        return s.getConditions() == null
                ? null
                : s.getConditions().stream()
                        .filter(c -> "HeaderAudienceOnPublicListener".equals(c.getType()))
                        .findFirst()
                        .orElse(null);
    }

    void awaitRoutes(String... names) {
        await().atMost(WAIT)
                .pollInterval(Duration.ofMillis(50))
                .untilAsserted(() -> assertThat(routes()).containsExactlyInAnyOrder(names));
    }

    List<String> routes() {
        return client.resources(HTTPRoute.class).inNamespace(Releases.NS).list().getItems().stream()
                .map(r -> r.getMetadata().getName())
                .toList();
    }

    List<String> services() {
        return client.services().inNamespace(Releases.NS).list().getItems().stream()
                .map(Service::getMetadata)
                .map(m -> m.getName())
                .toList();
    }

    HTTPRoute route(String name) {
        return client.resources(HTTPRoute.class)
                .inNamespace(Releases.NS)
                .withName(name)
                .get();
    }

    /** The header values the route's rules match on. */
    List<String> headerValues(String name) {
        return route(name).getSpec().getRules().stream()
                .flatMap(rule -> rule.getMatches().stream().limit(1))
                .filter(m -> m.getHeaders() != null)
                .flatMap(m -> m.getHeaders().stream())
                .map(h -> h.getValue())
                .toList();
    }
}
