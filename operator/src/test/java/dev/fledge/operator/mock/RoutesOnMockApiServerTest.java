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
import dev.fledge.operator.validation.RoutePolicy;
import dev.fledge.testsupport.ApplyTolerantCrudDispatcher;
import dev.fledge.testsupport.DeploymentReadiness;
import dev.fledge.testsupport.MockCluster;
import dev.fledge.testsupport.UserEdits;
import io.fabric8.kubernetes.api.model.ObjectMetaBuilder;
import io.fabric8.kubernetes.api.model.Service;
import io.fabric8.kubernetes.api.model.gatewayapi.v1.HTTPRoute;
import io.fabric8.kubernetes.api.model.gatewayapi.v1.HTTPRouteSpec;
import io.fabric8.kubernetes.client.KubernetesClient;
import io.fabric8.mockwebserver.http.Buffer;
import io.fabric8.mockwebserver.http.MockResponse;
import java.nio.charset.StandardCharsets;
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
    /** The name of an HTTPRoute whose DELETE the API server fails with a 500, or null. */
    volatile String failDeletesOf;

    KubernetesClient client;
    DeploymentReadiness kubelet;
    OperatorUnderTest operator;

    @BeforeEach
    void start() throws Exception {
        cluster = new MockCluster(new ApplyTolerantCrudDispatcher() {
            @Override
            public MockResponse handleDelete(String path) {
                if (failDeletesOf != null
                        && path.contains("/httproutes/" + failDeletesOf)
                        && !path.contains("/httproutes/" + failDeletesOf + "-")) {
                    return new MockResponse()
                            .setResponseCode(500)
                            .setBody(new Buffer("{\"kind\":\"Status\",\"code\":500,\"message\":\"injected\"}"
                                    .getBytes(StandardCharsets.UTF_8)));
                }
                return super.handleDelete(path);
            }
        });
        client = cluster.client();
        Releases.createNamespace(client);
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
        ModelRelease mr = client.resource(release(audiencesOnInternalGateway())).create();
        // controlled by another release (another UID), and a forged reference: the release's name, not its UID
        client.resource(ownedBy(foreignRoute("assistant-other"), "other", "uid-of-other"))
                .create();
        client.resource(ownedBy(
                        foreignRoute("assistant-forged"),
                        "assistant",
                        "not-" + mr.getMetadata().getUid()))
                .create();
        awaitStatus(s -> s.getPhase() == Phase.PROMOTED);
        assertThat(routes())
                .containsExactlyInAnyOrder(
                        "assistant",
                        "assistant-internal",
                        "assistant-closed",
                        "assistant-legacy",
                        "assistant-other",
                        "assistant-forged");

        edit(r -> r.getSpec().getTraffic().getGatewayAPI().setHttpRoute("chat"));

        awaitRoutes("chat", "chat-internal", "chat-closed", "assistant-legacy", "assistant-other", "assistant-forged");
    }

    @Test
    void aFailedRemovalOfOneStaleRouteRemovesTheOthersWarnsAndIsRetriedSoonWithoutAnotherChange() {
        client.resource(release(audiencesOnInternalGateway())).create();
        awaitStatus(s -> s.getPhase() == Phase.PROMOTED);
        awaitRoutes("assistant", "assistant-internal", "assistant-closed");

        failDeletesOf = "assistant"; // the API server fails this one DELETE; the audience routes are deletable
        edit(r -> r.getSpec().getTraffic().getGatewayAPI().setHttpRoute("chat"));
        awaitRoutes("assistant", "chat", "chat-internal", "chat-closed");
        await().atMost(WAIT)
                .untilAsserted(() -> assertThat(client.v1()
                                .events()
                                .inNamespace(Releases.NS)
                                .list()
                                .getItems())
                        .anySatisfy(e -> {
                            assertThat(e.getReason()).isEqualTo("RouteDrift");
                            assertThat(e.getType()).isEqualTo("Warning");
                            assertThat(e.getMessage()).contains("HTTPRoute/assistant", "injected");
                        }));

        // the Promoted release has nothing to wait for; the sweep is retried anyway, and now succeeds
        failDeletesOf = null;
        awaitRoutes("chat", "chat-internal", "chat-closed");
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
    void aReleaseMidRolloutThatReliedOnTheOldDefaultHeaderKeepsRollingOutWithoutHeaderRulesAndCanBeAborted() {
        ModelRelease mr = release(new GatewayApiSpec()
                .withParentRefs(List.of(new ParentReference().withName("public-gw")))
                .withHeaderAudiences(new HeaderAudiencesSpec().withTrust(HeaderTrust.AUTH_PROXY)));
        client.resource(mr).create();
        awaitStatus(st -> st.getPhase() == Phase.PROMOTED);
        edit(r -> {
            r.getSpec().getModel().withVersion("2.0.0").setUri("file:///models/2.0.0");
            r.getSpec().getStages().get(2).setStepDuration("10m"); // stays at 25% until aborted
        });
        awaitStatus(st -> "public".equals(st.getStage()) && Integer.valueOf(25).equals(st.getCanaryWeight()));
        assertThat(headerValues("assistant")).containsExactlyInAnyOrder("internal", "closed");

        // as stored before the opt-in existed: no headerAudiences, the audiences relied on the default header
        edit(r -> r.getSpec().getTraffic().getGatewayAPI().setHeaderAudiences(null));
        ModelReleaseStatus s = awaitStatus(st -> condition(st, "AudienceNotRouted") != null);
        assertThat(s.getPhase()).isEqualTo(Phase.PROGRESSING);
        assertThat(condition(s, "AudienceNotRouted").getReason()).isEqualTo("HeaderAudienceNotTrusted");
        assertThat(condition(s, "AudienceNotRouted").getMessage())
                .contains("spec.traffic.gatewayAPI.headerAudiences.trust");
        // fail-closed: no header rule is left for anyone to claim, the public split still routes
        await().atMost(WAIT)
                .untilAsserted(() -> assertThat(headerValues("assistant")).isEmpty());
        assertThat(weights("assistant")).containsExactly(75, 25);

        edit(r -> r.getMetadata().setAnnotations(Map.of(Labels.ACTION, "abort")));
        s = awaitStatus(st -> st.getPhase() == Phase.ROLLED_BACK);
        assertThat(s.getStableVersion()).isEqualTo("1.0.0");
        await().atMost(WAIT)
                .untilAsserted(() -> assertThat(weights("assistant")).containsExactly(100, 0));
    }

    @Test
    void aReleaseThatTurnsInvalidMidRolloutSendsItsUsersToStableThroughTheRoutesItHasAndNoOther() {
        client.resource(release(audiencesOnInternalGateway())).create();
        awaitStatus(st -> st.getPhase() == Phase.PROMOTED);
        edit(r -> {
            r.getSpec().getModel().withVersion("2.0.0").setUri("file:///models/2.0.0");
            r.getSpec().getStages().get(2).setStepDuration("10m"); // stays at 25%
        });
        awaitStatus(st -> "public".equals(st.getStage()) && Integer.valueOf(25).equals(st.getCanaryWeight()));
        await().atMost(WAIT)
                .untilAsserted(() -> assertThat(weights("assistant")).containsExactly(75, 25));

        // one edit renames the route and points it at a Gateway that does not exist: the spec is invalid
        edit(r -> {
            r.getSpec().getTraffic().getGatewayAPI().setHttpRoute("chat");
            r.getSpec().getTraffic().getGatewayAPI().setParentRefs(List.of(new ParentReference().withName("typo-gw")));
        });
        awaitStatus(st -> st.getPhase() == Phase.INVALID);

        // every user goes back to stable through the routes the release has: none created, renamed or removed,
        // and no parentRef taken from the invalid spec
        await().atMost(WAIT)
                .untilAsserted(() -> assertThat(backends())
                        .containsOnlyKeys("assistant", "assistant-internal", "assistant-closed")
                        .allSatisfy((route, refs) -> assertThat(refs).containsExactly("assistant-stable")));
        assertThat(routes()).containsExactlyInAnyOrder("assistant", "assistant-internal", "assistant-closed");
        assertThat(route("assistant").getSpec().getParentRefs())
                .extracting(p -> p.getName())
                .containsExactly("public-gw");
        assertThat(route("assistant-internal").getSpec().getParentRefs())
                .extracting(p -> p.getName())
                .containsExactly("internal-gw");

        // valid again: the rollout resumes at its step, through the routes the spec names
        edit(r -> {
            r.getSpec().getTraffic().getGatewayAPI().setHttpRoute(null);
            r.getSpec()
                    .getTraffic()
                    .getGatewayAPI()
                    .setParentRefs(List.of(new ParentReference().withName("public-gw")));
        });
        awaitStatus(st -> st.getPhase() == Phase.PROGRESSING);
        await().atMost(WAIT)
                .untilAsserted(() -> assertThat(weights("assistant")).containsExactly(75, 25));
        assertThat(backends().get("assistant-internal")).containsExactly("assistant-canary");
    }

    @Test
    void routesMadeBeforeTheRouteLimitsWereSetAreRemovedWhereTheyBreakThemAndKeptWhereTheyDoNot() {
        client.resource(release(audiencesOnInternalGateway())).create();
        awaitStatus(st -> st.getPhase() == Phase.PROMOTED);
        awaitRoutes("assistant", "assistant-internal", "assistant-closed");

        // the admin limits the Gateways: public-gw of the release's own namespace only; internal-gw is not allowed
        operator.close();
        operator = new OperatorUnderTest(
                client, new ConfiguredGates(Map.of()), new RoutePolicy(List.of("{namespace}/public-gw"), List.of()));

        ModelReleaseStatus s = awaitStatus(st -> st.getPhase() == Phase.INVALID);
        assertThat(s.getMessage()).contains("spec.traffic.gatewayAPI.internal.parentRefs[0]");
        // the audience routes held internal-gw: gone; the public route lies within the limits and stays
        awaitRoutes("assistant");
        assertThat(backends().get("assistant")).containsOnly("assistant-stable", "assistant-canary");
        await().atMost(WAIT)
                .untilAsserted(() -> assertThat(client.v1()
                                .events()
                                .inNamespace(Releases.NS)
                                .list()
                                .getItems())
                        .filteredOn(e -> "RouteOutsideLimits".equals(e.getReason()))
                        .allSatisfy(e -> assertThat(e.getType()).isEqualTo("Warning"))
                        .extracting(e -> e.getMessage())
                        .anySatisfy(m -> assertThat(m)
                                .contains("HTTPRoute " + Releases.NS + "/assistant-internal", "internal-gw"))
                        .anySatisfy(m -> assertThat(m).contains("HTTPRoute " + Releases.NS + "/assistant-closed")));

        // within the limits again: valid, and its routes are the ones its spec names
        edit(r -> {
            r.getSpec().getTraffic().getGatewayAPI().setInternal(null);
            r.getSpec().getTraffic().getGatewayAPI().setClosed(null);
        });
        awaitStatus(st -> st.getPhase() == Phase.PROMOTED);
        awaitRoutes("assistant");
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

    static HTTPRoute ownedBy(HTTPRoute route, String release, String uid) {
        route.getMetadata()
                .setOwnerReferences(List.of(new io.fabric8.kubernetes.api.model.OwnerReferenceBuilder()
                        .withApiVersion("fledge.dev/v1")
                        .withKind("ModelRelease")
                        .withName(release)
                        .withUid(uid)
                        .withController(true)
                        .build()));
        return route;
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
        // the operator writes the status meanwhile: a conflict is retried, as a user would
        UserEdits.edit(
                client.resources(ModelRelease.class).inNamespace(Releases.NS).withName("assistant"), mr -> {
                    change.accept(mr);
                    return mr;
                });
    }

    ModelReleaseStatus awaitStatus(Predicate<ModelReleaseStatus> p) {
        return Releases.awaitStatus(client, "assistant", WAIT, p);
    }

    static io.fabric8.kubernetes.api.model.Condition condition(ModelReleaseStatus s, String type) {
        return s.getConditions() == null
                ? null
                : s.getConditions().stream()
                        .filter(c -> type.equals(c.getType()))
                        .findFirst()
                        .orElse(null);
    }

    /** The backend weights of the route's last (public) rule. */
    List<Integer> weights(String name) {
        var rules = route(name).getSpec().getRules();
        return rules.get(rules.size() - 1).getBackendRefs().stream()
                .map(b -> b.getWeight())
                .toList();
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

    /** The backend Services of each route's rules, by route name. */
    Map<String, List<String>> backends() {
        Map<String, List<String>> out = new java.util.TreeMap<>();
        for (HTTPRoute r : client.resources(HTTPRoute.class)
                .inNamespace(Releases.NS)
                .list()
                .getItems()) {
            out.put(
                    r.getMetadata().getName(),
                    r.getSpec().getRules().stream()
                            .flatMap(rule -> rule.getBackendRefs().stream())
                            .map(b -> b.getName())
                            .toList());
        }
        return out;
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
