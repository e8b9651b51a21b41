package dev.fledge.e2e.apiserver;

import static dev.fledge.e2e.apiserver.JsonEdit.set;
import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.catchThrowableOfType;

import com.fasterxml.jackson.databind.node.ObjectNode;
import dev.fledge.api.ModelRelease;
import dev.fledge.api.spec.AnalysisSpec;
import dev.fledge.api.spec.MirrorSource;
import dev.fledge.api.spec.SafetySpec;
import dev.fledge.api.spec.StageName;
import dev.fledge.api.spec.StageSpec;
import dev.fledge.core.rollout.TrafficSplit;
import dev.fledge.e2e.rollout.ProductionReconciler;
import dev.fledge.e2e.rollout.TestReleases;
import dev.fledge.operator.config.OperatorAssembly;
import dev.fledge.operator.k8s.OwnedObjects;
import dev.fledge.operator.routing.GatewayApiRouter;
import dev.fledge.operator.routing.Routers;
import dev.fledge.operator.routing.StableRetreat;
import dev.fledge.operator.validation.RoutePolicy;
import dev.fledge.operator.workload.Applier;
import io.fabric8.kubernetes.api.model.GenericKubernetesResource;
import io.fabric8.kubernetes.api.model.gatewayapi.v1.HTTPRoute;
import io.fabric8.kubernetes.api.model.gatewayapi.v1.HTTPRouteRule;
import io.fabric8.kubernetes.client.KubernetesClient;
import io.fabric8.kubernetes.client.KubernetesClientException;
import java.time.Clock;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.function.Consumer;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Tag;
import org.junit.jupiter.api.Test;

/**
 * The shadow stage (issue 18) on the real API server: the CRD's CEL rules accept a shadow stage only under the
 * gatewayAPI router, first, with its safety gate and its mirrorFrom; and the HTTPRoute the router writes in that stage,
 * with a RequestMirror filter and its {@code percent}, is stored as written by the vendored Gateway API CRDs (v1.4.0).
 */
@Tag("apiserver")
class ShadowStageOnRealApiServerTest {
    static final String NS = "shadow-real";

    static KubernetesClient client;
    static ClusterResources cluster;
    static ModelReleaseFixtures fixtures;
    static Routers routers;

    @BeforeAll
    static void install() {
        client = RealApiServer.shared().client();
        cluster = new ClusterResources(client);
        cluster.installCrds(List.of(RepoFiles.modelReleaseCrd()));
        cluster.installCrds(RepoFiles.gatewayApiCrds());
        cluster.ensureNamespace(NS);
        fixtures = new ModelReleaseFixtures(client);
        routers = OperatorAssembly.routers(client, Clock.systemUTC(), ProductionReconciler.SERVER);
    }

    static final Map<String, Object> SHADOW =
            Map.of("name", "shadow", "mirrorPercent", 20, "mirrorFrom", List.of("public"));
    static final Map<String, Object> PUBLIC = Map.of("name", "public", "steps", List.of(50, 100));

    /** The valid fixture (replicas router, a safety gate) under the gatewayAPI router. */
    static Consumer<ObjectNode> gatewayApi() {
        return set("/spec/traffic", Map.of("gatewayAPI", Map.of("parentRefs", List.of(Map.of("name", "gw")))));
    }

    static KubernetesClientException refused(Consumer<ObjectNode> edit) {
        GenericKubernetesResource release = fixtures.validRelease(edit);
        return catchThrowableOfType(KubernetesClientException.class, () -> cluster.dryRunApply(release, NS));
    }

    @Test
    void aShadowStageFirstUnderTheGatewayApiRouterIsAcceptedBeforeInternalClosedAndPublic() {
        GenericKubernetesResource accepted = cluster.dryRunApply(
                fixtures.validRelease(gatewayApi()
                        .andThen(set(
                                "/spec/stages",
                                List.of(SHADOW, Map.of("name", "internal"), Map.of("name", "closed"), PUBLIC)))),
                NS);
        assertThat(accepted.getMetadata().getName()).isEqualTo("sentiment");
        assertThat(accepted.getAdditionalProperties().toString()).contains("mirrorPercent=20", "mirrorFrom=[public]");
    }

    @Test
    void aShadowStageUnderTheReplicasRouterIsRejectedWithAClearMessage() {
        var error = refused(set("/spec/stages", List.of(SHADOW, PUBLIC)));
        assertThat(error).isNotNull();
        assertThat(error.getCode()).isEqualTo(422);
        assertThat(error.getMessage())
                .contains("spec.stages: ")
                .contains("the shadow stage needs the gatewayAPI router (spec.traffic.gatewayAPI)");
    }

    @Test
    void aShadowStageWithoutTheSafetyGateIsRejected() {
        var error = refused(gatewayApi()
                .andThen(set("/spec/stages", List.of(SHADOW, PUBLIC)))
                .andThen(JsonEdit.remove("/spec/analysis/safety")));
        assertThat(error).isNotNull();
        assertThat(error.getMessage()).contains("the shadow stage needs spec.analysis.safety");
    }

    @Test
    void aShadowStageAfterAnotherStageIsRejected() {
        var error = refused(gatewayApi().andThen(set("/spec/stages", List.of(Map.of("name", "internal"), SHADOW))));
        assertThat(error).isNotNull();
        assertThat(error.getMessage()).contains("the shadow stage must be the first stage");
    }

    @Test
    void aShadowStageWithoutMirrorFromOrWithAPercentOutOfRangeIsRejected() {
        var noSources = refused(gatewayApi()
                .andThen(set("/spec/stages", List.of(Map.of("name", "shadow", "mirrorPercent", 20), PUBLIC))));
        assertThat(noSources).isNotNull();
        assertThat(noSources.getMessage()).contains("spec.stages[0].mirrorFrom: ", "the shadow stage needs mirrorFrom");
        var tooMuch = refused(gatewayApi()
                .andThen(set(
                        "/spec/stages",
                        List.of(
                                Map.of("name", "shadow", "mirrorPercent", 101, "mirrorFrom", List.of("public")),
                                PUBLIC))));
        assertThat(tooMuch).isNotNull();
        assertThat(tooMuch.getMessage()).contains("spec.stages[0].mirrorPercent");
        var closed = refused(gatewayApi()
                .andThen(set(
                        "/spec/stages", List.of(Map.of("name", "shadow", "mirrorFrom", List.of("closed")), PUBLIC))));
        assertThat(closed).isNotNull();
        assertThat(closed.getMessage()).contains("spec.stages[0].mirrorFrom[0]");
    }

    @Test
    void mirrorSettingsOnAnotherStageAreRejected() {
        var error = refused(set("/spec/stages/0/mirrorPercent", 10));
        assertThat(error).isNotNull();
        assertThat(error.getMessage()).contains("mirrorPercent and mirrorFrom apply only to the shadow stage");
    }

    @Test
    void theShadowRouteWithARequestMirrorAndItsPercentIsStoredAsWritten() {
        ModelRelease mr = TestReleases.gatewayApi(NS, "mirrored", "2.0.0", "public-gw");
        List<StageSpec> stages = new ArrayList<>();
        stages.add(new StageSpec()
                .withName(StageName.SHADOW)
                .withMirrorPercent(20)
                .withMirrorFrom(List.of(MirrorSource.PUBLIC, MirrorSource.INTERNAL)));
        stages.addAll(mr.getSpec().getStages());
        mr.getSpec().setStages(stages);
        mr.getSpec().setAnalysis(new AnalysisSpec().withSafety(new SafetySpec().withOnline(true)));
        ModelRelease stored =
                client.resource(mr).fieldManager(ClusterResources.FIELD_MANAGER).serverSideApply();

        routers.forRelease(stored)
                .apply(stored, new TrafficSplit("1.0.0", null, "2.0.0", Set.of(), 0, 20, Set.of("public", "internal")));

        List<HTTPRouteRule> rules = client.resources(HTTPRoute.class)
                .inNamespace(NS)
                .withName("mirrored")
                .get()
                .getSpec()
                .getRules();
        assertThat(rules).hasSize(3).allSatisfy(rule -> {
            assertThat(rule.getBackendRefs())
                    .filteredOn(b -> b.getWeight() != null && b.getWeight() > 0)
                    .extracting(b -> b.getName())
                    .containsExactly("mirrored-stable");
        });
        // internal (header rule) and public mirror; closed is not a mirror source
        assertThat(rules)
                .extracting(r -> r.getFilters().stream()
                        .filter(f -> "RequestMirror".equals(f.getType()))
                        .map(f -> f.getRequestMirror().getBackendRef().getName() + ":"
                                + f.getRequestMirror().getPercent())
                        .toList())
                .containsExactly(List.of("mirrored-canary:20"), List.of(), List.of("mirrored-canary:20"));
    }

    /**
     * A Gateway whose GatewayClass lists its features without RequestMirror (as Traefik v3.6's does; Traefik answers
     * 500 to every request of a rule with the filter) gets a route without a mirror, and the drift names the Gateway
     * and the missing features; a class that lists them gets the mirror. The classes' status is written here as a
     * Gateway controller writes it (the status subresource).
     */
    @Test
    void aGatewayWhoseClassDoesNotListRequestMirrorGetsNoMirrorAndTheDriftSaysWhich() {
        gatewayClass("no-mirror", List.of("Gateway", "HTTPRoute", "HTTPRouteHostRewrite"));
        gatewayClass(
                "mirrors",
                List.of("Gateway", "HTTPRoute", "HTTPRouteRequestMirror", "HTTPRouteRequestPercentageMirror"));
        TrafficSplit shadow = new TrafficSplit("1.0.0", null, "2.0.0", Set.of(), 0, 20, Set.of("public"));

        ModelRelease refused = shadowRelease("unmirrored", "gw-no-mirror", "no-mirror");
        var routed = routers.forRelease(refused).route(refused, shadow, false);
        assertThat(routed.drift())
                .hasValueSatisfying(d -> assertThat(d)
                        .contains("Gateway " + NS
                                + "/gw-no-mirror (GatewayClass no-mirror, controller example.com/no-mirror)")
                        .contains("does not list HTTPRouteRequestMirror or HTTPRouteRequestPercentageMirror")
                        .contains("the routes carry no mirror"));
        assertThat(requestMirrors("unmirrored"))
                .as("the route, written without a mirror")
                .isEmpty();

        ModelRelease kept = shadowRelease("supported", "gw-mirrors", "mirrors");
        assertThat(routers.forRelease(kept).route(kept, shadow, false).drift()).isEmpty();
        assertThat(requestMirrors("supported")).containsExactly("supported-canary:20");
    }

    /**
     * Traefik's GatewayClass lists its features without RequestMirror, and Traefik mirrors through its own TraefikService
     * instead, where the platform turned that on. Off, the route carries no mirror and the drift says how to turn it
     * on; on without Traefik's CRDs, the drift says what to install; with them (the vendored v3.6.12 set), the
     * TraefikService is stored as written (every request to stable, 20 % copied to the canary, bodies up to 1 MiB),
     * and the public rule names it only once it is 10 s old (meanwhile the route waits, as for its Gateway). A route
     * status saying Traefik cannot resolve it (ResolvedRefs=False, as when its kubernetesCRD provider is off) sends
     * the rule back to the Services. An Invalid release's retreat points the rule at the stable Service; leaving the
     * stage, the rule names the Services again.
     */
    @Test
    void onTraefikTheShadowStageMirrorsThroughATraefikServiceWhereThePlatformTurnedItOn() {
        gatewayClass(
                "traefik-like",
                List.of("Gateway", "HTTPRoute", "HTTPRouteHostRewrite"),
                "traefik.io/gateway-controller");
        TrafficSplit shadow = new TrafficSplit("1.0.0", null, "2.0.0", Set.of(), 0, 20, Set.of("public"));
        AheadClock clock = new AheadClock();
        Routers on = traefikRouters(clock);

        ModelRelease off = shadowRelease("traefik-off", "gw-traefik", "traefik-like");
        assertThat(routers.forRelease(off).route(off, shadow, false).drift())
                .hasValueSatisfying(d -> assertThat(d)
                        .contains("are Traefik's, which has no RequestMirror filter")
                        .contains(GatewayApiRouter.TRAEFIK_MIRROR_SETTING));
        assertThat(backends("traefik-off")).containsExactly("Service/traefik-off-stable", "Service/traefik-off-canary");

        ModelRelease early = shadowRelease("traefik-early", "gw-traefik", "traefik-like");
        assertThat(on.forRelease(early).route(early, shadow, false).drift())
                .hasValueSatisfying(d -> assertThat(d)
                        .contains("does not serve traefik.io/v1alpha1 TraefikService")
                        .contains("install Traefik's CRDs"));
        assertThat(backends("traefik-early"))
                .containsExactly("Service/traefik-early-stable", "Service/traefik-early-canary");

        cluster.installCrds(RepoFiles.traefikCrds());
        ModelRelease mr = shadowRelease("traefik", "gw-traefik", "traefik-like");
        String name = "traefik-mirror-public-" + mr.getMetadata().getUid();
        var first = on.forRelease(mr).route(mr, shadow, false);
        assertThat(first.drift()).isEmpty();
        assertThat(first.pending())
                .extracting(u -> u.message())
                .anySatisfy(m -> assertThat(m).contains("TraefikService " + name + " is new"));
        assertThat(backends("traefik"))
                .as("not named before it is 10 s old")
                .containsExactly("Service/traefik-stable", "Service/traefik-canary");
        assertThat(mirroring(name))
                .containsEntry("name", "traefik-stable")
                .containsEntry("port", 8080)
                .containsEntry("maxBodySize", 1_048_576)
                .containsEntry("mirrors", List.of(Map.of("name", "traefik-canary", "port", 8080, "percent", 20)));

        clock.ahead(PAST_SETTLE);
        assertThat(on.forRelease(mr).route(mr, shadow, false).drift()).isEmpty();
        assertThat(requestMirrors("traefik"))
                .as("no RequestMirror filter on Traefik")
                .isEmpty();
        assertThat(backends("traefik")).containsExactly("TraefikService/" + name);

        resolvedRefsFalse("traefik", "gw-traefik");
        assertThat(on.forRelease(mr).route(mr, shadow, false).drift())
                .hasValueSatisfying(d -> assertThat(d)
                        .contains("refuses HTTPRoute traefik, which names a TraefikService (ResolvedRefs=False"));
        assertThat(backends("traefik")).containsExactly("Service/traefik-stable", "Service/traefik-canary");

        ModelRelease invalid = shadowRelease("traefik-retreat", "gw-traefik", "traefik-like");
        named(on, clock, invalid, shadow);
        assertThat(backends("traefik-retreat"))
                .containsExactly("TraefikService/traefik-retreat-mirror-public-"
                        + invalid.getMetadata().getUid());
        assertThat(new StableRetreat(client, new Applier(client, Clock.systemUTC())).apply(invalid, false))
                .isEmpty();
        assertThat(backends("traefik-retreat"))
                .as("an Invalid release's retreat: the stable Service, no copies")
                .containsExactly("Service/traefik-retreat-stable");

        ModelRelease left = shadowRelease("traefik-left", "gw-traefik", "traefik-like");
        named(on, clock, left, shadow);
        assertThat(on.forRelease(left)
                        .route(left, shadow.withoutMirror(), false)
                        .drift())
                .isEmpty();
        assertThat(backends("traefik-left"))
                .as("out of the stage")
                .containsExactly("Service/traefik-left-stable", "Service/traefik-left-canary");
    }

    /** Routes {@code mr} in {@code split} until its rule names its new TraefikService: once, then past the settle. */
    static void named(Routers routers, AheadClock clock, ModelRelease mr, TrafficSplit split) {
        assertThat(routers.forRelease(mr).route(mr, split, false).pending())
                .extracting(u -> u.message())
                .anySatisfy(m -> assertThat(m).contains(" is new: Traefik loads it"));
        clock.ahead(PAST_SETTLE);
        assertThat(routers.forRelease(mr).route(mr, split, false).drift()).isEmpty();
    }

    /** A bit more than the operator's settle time (TraefikMirror.SETTLE, 10 s). */
    static final Duration PAST_SETTLE = Duration.ofSeconds(11);

    /** The system clock, moved ahead by the test. */
    static final class AheadClock extends Clock {
        private volatile Duration ahead = Duration.ZERO;

        void ahead(Duration more) {
            ahead = ahead.plus(more);
        }

        @Override
        public java.time.ZoneId getZone() {
            return java.time.ZoneOffset.UTC;
        }

        @Override
        public Clock withZone(java.time.ZoneId zone) {
            return this;
        }

        @Override
        public java.time.Instant instant() {
            return java.time.Instant.now().plus(ahead);
        }
    }

    /** The routers with the TraefikService mirror turned on, on {@code clock}. */
    static Routers traefikRouters(Clock clock) {
        return OperatorAssembly.routers(
                client, clock, ProductionReconciler.SERVER, RoutePolicy.any(), new OwnedObjects(), true);
    }

    /**
     * Writes the route's status as Traefik does when its kubernetesCRD provider is off: Accepted, but ResolvedRefs
     * False (InvalidKind) at the route's generation.
     */
    @SuppressWarnings("unchecked")
    static void resolvedRefsFalse(String route, String gateway) {
        var routes = client.genericKubernetesResources("gateway.networking.k8s.io/v1", "HTTPRoute")
                .inNamespace(NS);
        GenericKubernetesResource stored = routes.withName(route).get();
        long generation = stored.getMetadata().getGeneration();
        Map<String, Object> parentRef =
                Map.of("group", "gateway.networking.k8s.io", "kind", "Gateway", "name", gateway);
        String now = java.time.Instant.now()
                .truncatedTo(java.time.temporal.ChronoUnit.SECONDS)
                .toString();
        stored.setAdditionalProperty(
                "status",
                Map.of(
                        "parents",
                        List.of(Map.of(
                                "parentRef",
                                parentRef,
                                "controllerName",
                                "traefik.io/gateway-controller",
                                "conditions",
                                List.of(
                                        Map.of(
                                                "type", "Accepted",
                                                "status", "True",
                                                "reason", "Accepted",
                                                "message", "",
                                                "observedGeneration", generation,
                                                "lastTransitionTime", now),
                                        Map.of(
                                                "type", "ResolvedRefs",
                                                "status", "False",
                                                "reason", "InvalidKind",
                                                "message", "unsupported HTTPBackendRef traefik.io/TraefikService",
                                                "observedGeneration", generation,
                                                "lastTransitionTime", now))))));
        routes.resource(stored).updateStatus();
    }

    /** The backendRefs of the route's public (last) rule, as {@code Kind/name}. */
    static List<String> backends(String route) {
        List<HTTPRouteRule> rules = client.resources(HTTPRoute.class)
                .inNamespace(NS)
                .withName(route)
                .get()
                .getSpec()
                .getRules();
        return rules.get(rules.size() - 1).getBackendRefs().stream()
                .map(b -> b.getKind() + "/" + b.getName())
                .toList();
    }

    /** The stored {@code spec.mirroring} of a TraefikService. */
    @SuppressWarnings("unchecked")
    static Map<String, Object> mirroring(String name) {
        GenericKubernetesResource s = client.genericKubernetesResources("traefik.io/v1alpha1", "TraefikService")
                .inNamespace(NS)
                .withName(name)
                .get();
        assertThat(s).as("TraefikService " + name).isNotNull();
        return (Map<String, Object>)
                ((Map<String, Object>) s.getAdditionalProperties().get("spec")).get("mirroring");
    }

    /** A release with a shadow stage mirroring the public, on a Gateway of its own of class {@code gatewayClass}. */
    static ModelRelease shadowRelease(String name, String gateway, String gatewayClass) {
        var gw = OperatorOnRealApiServerTest.gateway(NS, gateway);
        gw.getSpec().setGatewayClassName(gatewayClass);
        client.resource(gw).fieldManager(ClusterResources.FIELD_MANAGER).serverSideApply();
        ModelRelease mr = TestReleases.gatewayApi(NS, name, "2.0.0", gateway);
        List<StageSpec> stages = new ArrayList<>();
        stages.add(new StageSpec()
                .withName(StageName.SHADOW)
                .withMirrorPercent(20)
                .withMirrorFrom(List.of(MirrorSource.PUBLIC)));
        stages.addAll(mr.getSpec().getStages());
        mr.getSpec().setStages(stages);
        mr.getSpec().setAnalysis(new AnalysisSpec().withSafety(new SafetySpec().withOnline(true)));
        return client.resource(mr).fieldManager(ClusterResources.FIELD_MANAGER).serverSideApply();
    }

    /** A GatewayClass whose controller says it supports {@code features} (Gateway API v1.2+ status). */
    static void gatewayClass(String name, List<String> features) {
        gatewayClass(name, features, "example.com/" + name);
    }

    static void gatewayClass(String name, List<String> features, String controller) {
        GenericKubernetesResource gc = new GenericKubernetesResource();
        gc.setApiVersion("gateway.networking.k8s.io/v1");
        gc.setKind("GatewayClass");
        gc.setMetadata(new io.fabric8.kubernetes.api.model.ObjectMetaBuilder()
                .withName(name)
                .build());
        gc.setAdditionalProperty("spec", Map.of("controllerName", controller));
        client.resource(gc).fieldManager(ClusterResources.FIELD_MANAGER).serverSideApply();
        GenericKubernetesResource stored = client.genericKubernetesResources(
                        "gateway.networking.k8s.io/v1", "GatewayClass")
                .withName(name)
                .get();
        stored.setAdditionalProperty(
                "status",
                Map.of(
                        "supportedFeatures",
                        features.stream().map(f -> Map.of("name", f)).toList()));
        client.genericKubernetesResources("gateway.networking.k8s.io/v1", "GatewayClass")
                .resource(stored)
                .updateStatus();
    }

    /** The RequestMirror filters of the route, as {@code backend:percent}. */
    static List<String> requestMirrors(String route) {
        return client.resources(HTTPRoute.class).inNamespace(NS).withName(route).get().getSpec().getRules().stream()
                .filter(r -> r.getFilters() != null)
                .flatMap(r -> r.getFilters().stream())
                .filter(f -> f.getRequestMirror() != null || "RequestMirror".equals(f.getType()))
                .map(f -> f.getRequestMirror().getBackendRef().getName() + ":"
                        + f.getRequestMirror().getPercent())
                .toList();
    }
}
