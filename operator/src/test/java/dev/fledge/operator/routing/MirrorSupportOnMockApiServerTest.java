package dev.fledge.operator.routing;

import static org.assertj.core.api.Assertions.assertThat;

import dev.fledge.operator.mock.MockApiServers;
import io.fabric8.kubernetes.api.model.StatusBuilder;
import io.fabric8.kubernetes.api.model.gatewayapi.v1.HTTPRoute;
import io.fabric8.kubernetes.api.model.gatewayapi.v1.ParentReferenceBuilder;
import io.fabric8.kubernetes.client.KubernetesClient;
import io.fabric8.kubernetes.client.server.mock.KubernetesMockServer;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

/**
 * What the operator concludes from the API server's answers about a route's Gateway and its GatewayClass: a class
 * that lists its features without RequestMirror, a refused read (403) and a failed one (500) keep the mirror out; a
 * class that lists nothing and a Gateway not found say nothing; a parentRef's own namespace is where its Gateway is
 * read, once for two sections of one Gateway.
 */
class MirrorSupportOnMockApiServerTest {
    static final String GATEWAYS = "/apis/gateway.networking.k8s.io/v1/namespaces/%s/gateways/%s";
    static final String CLASS = "/apis/gateway.networking.k8s.io/v1/gatewayclasses/edge";

    private KubernetesMockServer server;
    private KubernetesClient client;
    private MirrorSupport support;

    @BeforeEach
    void start() {
        server = new KubernetesMockServer(false);
        server.init();
        client = MockApiServers.clientWithoutRetries(server);
        support = new MirrorSupport(client, true);
    }

    @AfterEach
    void stop() {
        client.close();
        server.destroy();
    }

    @Test
    void aClassThatListsItsFeaturesWithoutRequestMirrorKeepsTheMirrorOutAndSaysWhichGateway() {
        gateway("gateway-system", "shared-gw");
        server.expect()
                .get()
                .withPath(CLASS)
                .andReturn(200, gatewayClass(List.of("Gateway", "HTTPRoute")))
                .always();

        assertThat(support.missing(mirroring("gateway-system")))
                .hasValueSatisfying(why -> assertThat(why)
                        .contains("Gateway gateway-system/shared-gw (GatewayClass edge, controller example.com/edge)")
                        .contains("does not list HTTPRouteRequestMirror or HTTPRouteRequestPercentageMirror"));
    }

    /**
     * Traefik's class lacks the features, and Traefik mirrors through a TraefikService instead; an older Traefik that
     * lists nothing has no RequestMirror either.
     */
    @Test
    void aTraefikClassWithoutRequestMirrorOrListingNothingMirrorsThroughATraefikService() {
        gateway("ml", "shared-gw");
        server.expect()
                .get()
                .withPath(CLASS)
                .andReturn(200, gatewayClass(List.of("Gateway", "HTTPRoute"), TraefikMirror.CONTROLLER))
                .once();
        server.expect()
                .get()
                .withPath(CLASS)
                .andReturn(200, gatewayClass(List.of(), TraefikMirror.CONTROLLER))
                .once();

        assertThat(support.check(mirroring(null))).isEqualTo(MirrorSupport.Answer.TRAEFIK);
        assertThat(support.check(mirroring(null))).as("lists nothing").isEqualTo(MirrorSupport.Answer.TRAEFIK);
    }

    /** Unless the platform turned the TraefikService mirror on, a Traefik Gateway gets no mirror, and says how. */
    @Test
    void aTraefikClassGetsNoMirrorUnlessThePlatformTurnedTheTraefikServiceMirrorOn() {
        gateway("ml", "shared-gw");
        server.expect()
                .get()
                .withPath(CLASS)
                .andReturn(200, gatewayClass(List.of("Gateway", "HTTPRoute"), TraefikMirror.CONTROLLER))
                .always();

        assertThat(new MirrorSupport(client, false).missing(mirroring(null)))
                .hasValueSatisfying(why -> assertThat(why)
                        .contains("[ml/shared-gw] are Traefik's, which has no RequestMirror filter")
                        .contains(TraefikMirror.SETTING)
                        .contains("allowEmptyServices: true"));
    }

    /** A route on a Traefik Gateway and on another: neither way of mirroring serves both, so none. */
    @Test
    void aRouteOnATraefikGatewayAndAnotherGetsNoMirror() {
        gateway("ml", "shared-gw");
        gateway("ml", "other-gw", "other");
        server.expect()
                .get()
                .withPath(CLASS)
                .andReturn(200, gatewayClass(List.of("Gateway", "HTTPRoute"), TraefikMirror.CONTROLLER))
                .always();
        server.expect()
                .get()
                .withPath("/apis/gateway.networking.k8s.io/v1/gatewayclasses/other")
                .andReturn(200, gatewayClass(List.of(MirrorSupport.MIRROR, MirrorSupport.PERCENTAGE), "example.com/x"))
                .always();
        HTTPRoute route = mirroring(null);
        route.getSpec()
                .setParentRefs(List.of(
                        new ParentReferenceBuilder().withName("shared-gw").build(),
                        new ParentReferenceBuilder().withName("other-gw").build()));

        assertThat(support.check(route).viaTraefik()).isFalse();
        assertThat(support.missing(route))
                .hasValueSatisfying(why ->
                        assertThat(why).contains("[ml/shared-gw] are Traefik's").contains("[ml/other-gw] are not"));
    }

    @Test
    void aClassThatListsTheFeaturesOrNothingAtAllLetsTheMirrorBe() {
        gateway("ml", "shared-gw");
        server.expect()
                .get()
                .withPath(CLASS)
                .andReturn(200, gatewayClass(List.of("HTTPRoute", MirrorSupport.MIRROR, MirrorSupport.PERCENTAGE)))
                .once();
        server.expect()
                .get()
                .withPath(CLASS)
                .andReturn(200, gatewayClass(List.of()))
                .once();

        assertThat(support.missing(mirroring(null))).isEmpty();
        assertThat(support.missing(mirroring(null)))
                .as("a class that lists nothing")
                .isEmpty();
    }

    @Test
    void aRefusedOrFailedReadKeepsTheMirrorOutAndAGatewayNotFoundSaysNothing() {
        gateway("ml", "shared-gw");
        server.expect().get().withPath(CLASS).andReturn(403, status(403)).once();
        server.expect().get().withPath(CLASS).andReturn(500, status(500)).once();

        assertThat(support.missing(mirroring(null)))
                .hasValueSatisfying(why -> assertThat(why).contains("403").contains("rbac.gatewayClassReader"));
        assertThat(support.missing(mirroring(null)))
                .hasValueSatisfying(
                        why -> assertThat(why).contains("could not be read").contains("500"));
        assertThat(support.missing(mirroring("elsewhere")))
                .as("no Gateway elsewhere/shared-gw")
                .isEmpty();
    }

    @Test
    void aRouteWithoutAMirrorReadsNothing() {
        assertThat(support.missing(MirrorSupportTest.route(null, null, null))).isEmpty();
        assertThat(server.getRequestCount()).isZero();
    }

    /** A route attached to two listeners of one Gateway: one Gateway and one GatewayClass to read, not two each. */
    @Test
    void twoSectionsOfOneGatewayReadItAndItsClassOnce() {
        gateway("ml", "shared-gw");
        server.expect()
                .get()
                .withPath(CLASS)
                .andReturn(200, gatewayClass(List.of("HTTPRoute", MirrorSupport.MIRROR, MirrorSupport.PERCENTAGE)))
                .always();
        HTTPRoute route = mirroring(null);
        route.getSpec()
                .setParentRefs(List.of(
                        new ParentReferenceBuilder()
                                .withName("shared-gw")
                                .withSectionName("internal")
                                .build(),
                        new ParentReferenceBuilder()
                                .withName("shared-gw")
                                .withSectionName("closed")
                                .build()));
        int before = server.getRequestCount();

        assertThat(support.missing(route)).isEmpty();
        assertThat(server.getRequestCount() - before)
                .as("the Gateway and its GatewayClass, each read once")
                .isEqualTo(2);
    }

    /** A route in {@code ml} mirroring 20 % of its rule, with one parentRef to shared-gw in {@code ns} (null: ml). */
    static HTTPRoute mirroring(String ns) {
        HTTPRoute route = MirrorSupportTest.route(20, null, null);
        route.setMetadata(new io.fabric8.kubernetes.api.model.ObjectMetaBuilder()
                .withName("assistant")
                .withNamespace("ml")
                .build());
        route.getSpec()
                .setParentRefs(List.of(new ParentReferenceBuilder()
                        .withName("shared-gw")
                        .withNamespace(ns)
                        .build()));
        return route;
    }

    void gateway(String ns, String name) {
        gateway(ns, name, "edge");
    }

    /** A Gateway {@code ns/name} of GatewayClass {@code className}, as the mock server answers it. */
    void gateway(String ns, String name, String className) {
        server.expect()
                .get()
                .withPath(GATEWAYS.formatted(ns, name))
                .andReturn(
                        200,
                        Map.of(
                                "apiVersion",
                                "gateway.networking.k8s.io/v1",
                                "kind",
                                "Gateway",
                                "metadata",
                                Map.of("name", name, "namespace", ns),
                                "spec",
                                Map.of("gatewayClassName", className, "listeners", List.of())))
                .always();
    }

    static Map<String, Object> gatewayClass(List<String> features) {
        return gatewayClass(features, "example.com/edge");
    }

    static Map<String, Object> gatewayClass(List<String> features, String controller) {
        return Map.of(
                "apiVersion", "gateway.networking.k8s.io/v1",
                "kind", "GatewayClass",
                "metadata", Map.of("name", "edge"),
                "spec", Map.of("controllerName", controller),
                "status",
                        Map.of(
                                "supportedFeatures",
                                features.stream().map(f -> Map.of("name", f)).toList()));
    }

    static io.fabric8.kubernetes.api.model.Status status(int code) {
        return new StatusBuilder().withCode(code).withMessage("status " + code).build();
    }
}
