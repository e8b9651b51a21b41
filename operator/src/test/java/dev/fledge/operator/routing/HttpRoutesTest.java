package dev.fledge.operator.routing;

import static org.assertj.core.api.Assertions.assertThat;

import dev.fledge.api.ModelRelease;
import dev.fledge.api.spec.AudienceRouteSpec;
import dev.fledge.api.spec.GatewayApiSpec;
import dev.fledge.api.spec.HeaderAudiencesSpec;
import dev.fledge.api.spec.HeaderMatchSpec;
import dev.fledge.api.spec.HeaderTrust;
import dev.fledge.api.spec.InferencePoolSpec;
import dev.fledge.api.spec.ModelReleaseSpec;
import dev.fledge.api.spec.ModelSpec;
import dev.fledge.api.spec.ParentReference;
import dev.fledge.api.spec.Router;
import dev.fledge.api.spec.ServerSpec;
import dev.fledge.api.spec.TrafficSpec;
import dev.fledge.core.rollout.TrafficSplit;
import dev.fledge.operator.workload.ServerDefaults;
import io.fabric8.kubernetes.api.model.ObjectMetaBuilder;
import io.fabric8.kubernetes.api.model.gatewayapi.v1.HTTPRoute;
import java.util.List;
import java.util.Map;
import java.util.Set;
import org.junit.jupiter.api.Test;

class HttpRoutesTest {
    final HttpRoutes routes = new HttpRoutes(new ServerDefaults("img", 8080));

    @Test
    void headerAudiencesShareTheReleaseRouteAndTheDefaultRuleIsWeighted() {
        List<HTTPRoute> out = routes.desired(
                release(new GatewayApiSpec()
                        .withParentRefs(List.of(new ParentReference().withName("gw")))
                        .withHeaderAudiences(new HeaderAudiencesSpec().withTrust(HeaderTrust.AUTH_PROXY))
                        .withClosed(new AudienceRouteSpec()
                                .withHeader(new HeaderMatchSpec()
                                        .withName("X-Group")
                                        .withValue("beta")))),
                new TrafficSplit("1", "2", Set.of("internal", "closed"), 25));
        assertThat(out).singleElement().satisfies(r -> {
            assertThat(r.getMetadata().getName()).isEqualTo("assistant");
            assertThat(r.getSpec().getParentRefs())
                    .singleElement()
                    .satisfies(p -> assertThat(p.getName()).isEqualTo("gw"));
            var rules = r.getSpec().getRules();
            assertThat(rules).hasSize(3);
            assertThat(rules.get(0).getMatches().get(0).getHeaders().get(0).getName())
                    .isEqualTo("X-Fledge-Audience");
            assertThat(rules.get(1).getMatches().get(0).getHeaders().get(0).getName())
                    .isEqualTo("X-Group");
            assertThat(rules.get(1).getMatches().get(0).getHeaders().get(0).getValue())
                    .isEqualTo("beta");
            assertThat(rules.get(1).getBackendRefs().get(0).getName()).isEqualTo("assistant-canary");
            assertThat(rules.get(2).getBackendRefs())
                    .extracting(b -> b.getName() + "=" + b.getWeight() + ":" + b.getPort())
                    .containsExactly("assistant-stable=75:9000", "assistant-canary=25:9000");
        });
    }

    @Test
    void everyRuleMatchesOnlyTheModelApiPathsSoMetricsAndModerationsAreNotPublic() {
        List<HTTPRoute> out = routes.desired(
                release(new GatewayApiSpec()
                        .withParentRefs(List.of(new ParentReference().withName("public-gw")))
                        .withInternal(new AudienceRouteSpec()
                                .withParentRefs(List.of(new ParentReference().withName("internal-gw"))))),
                new TrafficSplit("1", "2", Set.of("internal"), 10));
        List<String> paths = out.stream()
                .flatMap(r -> r.getSpec().getRules().stream())
                .flatMap(rule -> rule.getMatches().stream())
                .map(m -> m.getPath().getType() + " " + m.getPath().getValue())
                .distinct()
                .toList();
        assertThat(paths)
                .containsExactlyInAnyOrder(
                        "PathPrefix /v1/completions",
                        "PathPrefix /v1/chat/completions",
                        "PathPrefix /v1/models",
                        "PathPrefix /v1/feedback",
                        "PathPrefix /v2/models");
        assertThat(out)
                .allSatisfy(r -> assertThat(r.getSpec().getRules())
                        .allSatisfy(rule -> assertThat(rule.getMatches()).hasSize(5)));
    }

    @Test
    void thePublicRuleStripsAudienceHeadersAndAnAudienceRuleSetsItsOwn() {
        List<HTTPRoute> out = routes.desired(
                release(new GatewayApiSpec()
                        .withParentRefs(List.of(new ParentReference().withName("gw")))
                        .withHeaderAudiences(new HeaderAudiencesSpec().withTrust(HeaderTrust.AUTH_PROXY))
                        .withClosed(new AudienceRouteSpec()
                                .withHeader(new HeaderMatchSpec()
                                        .withName("X-Group")
                                        .withValue("beta")))),
                new TrafficSplit("1", "2", Set.of("internal", "closed"), 25));
        var rules = out.get(0).getSpec().getRules();
        var publicFilter = rules.get(rules.size() - 1).getFilters();
        assertThat(publicFilter).singleElement().satisfies(f -> {
            assertThat(f.getType()).isEqualTo("RequestHeaderModifier");
            assertThat(f.getRequestHeaderModifier().getRemove()).containsExactly("X-Fledge-Audience", "X-Group");
        });
        assertThat(rules.get(1).getFilters())
                .singleElement()
                .satisfies(f -> assertThat(f.getRequestHeaderModifier().getSet())
                        .singleElement()
                        .satisfies(h ->
                                assertThat(h.getName() + "=" + h.getValue()).isEqualTo("X-Fledge-Audience=closed")));
    }

    @Test
    void anAudienceWithItsOwnHostnameOrGatewayGetsItsOwnRoute() {
        List<HTTPRoute> out = routes.desired(
                release(new GatewayApiSpec()
                        .withParentRefs(List.of(new ParentReference().withName("public-gw")))
                        .withInternal(new AudienceRouteSpec()
                                .withParentRefs(List.of(new ParentReference().withName("internal-gw"))))
                        .withClosed(new AudienceRouteSpec().withHostnames(List.of("beta.assistant.example.com")))),
                new TrafficSplit("1", "2", Set.of("internal"), 0));
        assertThat(out)
                .extracting(r -> r.getMetadata().getName())
                .containsExactly("assistant", "assistant-internal", "assistant-closed");
        assertThat(out.get(0).getSpec().getRules())
                .as("no header rules left in the public route")
                .hasSize(1);
        HTTPRoute internal = out.get(1);
        assertThat(internal.getSpec().getParentRefs())
                .singleElement()
                .satisfies(p -> assertThat(p.getName()).isEqualTo("internal-gw"));
        assertThat(internal.getSpec().getRules().get(0).getBackendRefs().get(0).getName())
                .isEqualTo("assistant-canary");
        HTTPRoute closed = out.get(2);
        assertThat(closed.getSpec().getHostnames()).containsExactly("beta.assistant.example.com");
        assertThat(closed.getSpec().getParentRefs())
                .singleElement()
                .satisfies(p -> assertThat(p.getName()).isEqualTo("public-gw"));
        assertThat(closed.getSpec().getRules().get(0).getBackendRefs().get(0).getName())
                .isEqualTo("assistant-stable");
    }

    @Test
    void thePublicRouteCarriesItsHostnamesAndWithoutThemClaimsEveryHost() {
        GatewayApiSpec spec = new GatewayApiSpec()
                .withParentRefs(List.of(new ParentReference().withName("public-gw")))
                .withHostnames(List.of("assistant.team-a.example.com"));
        TrafficSplit split = new TrafficSplit("1", "2", Set.of(), 25);

        assertThat(routes.desired(release(spec), split).get(0).getSpec().getHostnames())
                .containsExactly("assistant.team-a.example.com");
        assertThat(routes.desired(release(spec.withHostnames(null)), split)
                        .get(0)
                        .getSpec()
                        .getHostnames())
                .isNullOrEmpty();
    }

    @Test
    void withoutTheHeaderOptInAnAudienceWithoutItsOwnRouteGetsNoHeaderRule() {
        List<HTTPRoute> out = routes.desired(
                release(new GatewayApiSpec()
                        .withParentRefs(List.of(new ParentReference().withName("public-gw")))
                        .withInternal(new AudienceRouteSpec().withHostnames(List.of("internal.example.com")))),
                new TrafficSplit("1", "2", Set.of("internal", "closed"), 0));
        assertThat(out).extracting(r -> r.getMetadata().getName()).containsExactly("assistant", "assistant-internal");
        var rules = out.get(0).getSpec().getRules();
        assertThat(rules)
                .as("only the public rule: nobody can claim closed with a header")
                .singleElement();
        assertThat(rules.get(0).getMatches())
                .allSatisfy(m -> assertThat(m.getHeaders()).isNullOrEmpty());
        assertThat(rules.get(0).getFilters())
                .singleElement()
                .satisfies(f ->
                        assertThat(f.getRequestHeaderModifier().getRemove()).contains("X-Fledge-Audience"));
    }

    @Test
    void inTheShadowStageThePublicRuleMirrorsItsShareToTheCanaryAndSendsAllUsersToStable() {
        List<HTTPRoute> out = routes.desired(
                release(new GatewayApiSpec()
                        .withParentRefs(List.of(new ParentReference().withName("gw")))
                        .withInternal(new AudienceRouteSpec().withHostnames(List.of("internal.example.com")))),
                new TrafficSplit("1", null, "2", Set.of(), 0, 20, Set.of("public")));
        var rules = out.get(0).getSpec().getRules();
        var publicRule = rules.get(rules.size() - 1);
        assertThat(publicRule.getBackendRefs())
                .extracting(b -> b.getName() + "=" + b.getWeight())
                .containsExactly("assistant-stable=100", "assistant-canary=0");
        assertThat(publicRule.getFilters())
                .extracting(f -> f.getType())
                .containsExactly("RequestHeaderModifier", "RequestMirror");
        assertThat(publicRule.getFilters().get(1).getRequestMirror()).satisfies(m -> {
            assertThat(m.getPercent()).isEqualTo(20);
            assertThat(m.getBackendRef().getName()).isEqualTo("assistant-canary");
            assertThat(m.getBackendRef().getPort()).isEqualTo(9000);
        });
        // the internal audience is not mirrored: its own route sends it to stable, no copy
        HTTPRoute internal = out.get(1);
        assertThat(internal.getSpec().getRules()).singleElement().satisfies(r -> {
            assertThat(r.getBackendRefs()).extracting(b -> b.getName()).containsExactly("assistant-stable");
            assertThat(r.getFilters()).extracting(f -> f.getType()).containsExactly("RequestHeaderModifier");
        });
    }

    @Test
    void theShadowStageMirrorsTheInternalAudienceWhenAskedAndNoRuleMirrorsOutsideIt() {
        ModelRelease mr = release(new GatewayApiSpec()
                .withParentRefs(List.of(new ParentReference().withName("gw")))
                .withInternal(new AudienceRouteSpec().withHostnames(List.of("internal.example.com"))));
        List<HTTPRoute> shadow =
                routes.desired(mr, new TrafficSplit("1", null, "2", Set.of(), 0, 5, Set.of("internal")));
        assertThat(shadow.get(1).getSpec().getRules().get(0).getFilters())
                .filteredOn(f -> "RequestMirror".equals(f.getType()))
                .singleElement()
                .satisfies(f -> assertThat(f.getRequestMirror().getPercent()).isEqualTo(5));
        var rules = shadow.get(0).getSpec().getRules();
        assertThat(rules.get(rules.size() - 1).getFilters())
                .extracting(f -> f.getType())
                .containsExactly("RequestHeaderModifier");
        List<HTTPRoute> internal = routes.desired(mr, new TrafficSplit("1", "2", Set.of("internal"), 0));
        assertThat(internal)
                .flatExtracting(r -> r.getSpec().getRules())
                .flatExtracting(r -> r.getFilters())
                .noneSatisfy(f -> assertThat(f.getType()).isEqualTo("RequestMirror"));
    }

    /**
     * On Traefik (no RequestMirror filter), a mirrored rule names its audience's TraefikService as its one backend and
     * keeps its header filter; the TraefikService sends everything to stable and copies the split's percent to the
     * canary. A rule that is not mirrored is as without Traefik, and no TraefikService is made for it.
     */
    @Test
    void viaTraefikAMirroredRuleNamesItsAudiencesTraefikServiceWhichCopiesTheShareToTheCanary() {
        ModelRelease mr = release(new GatewayApiSpec()
                .withParentRefs(List.of(new ParentReference().withName("gw")))
                .withInternal(new AudienceRouteSpec().withHostnames(List.of("internal.example.com"))));
        TrafficSplit shadow = new TrafficSplit("1", null, "2", Set.of(), 0, 20, Set.of("public"));
        List<HTTPRoute> out = routes.desired(mr, shadow, false, true);

        var rules = out.get(0).getSpec().getRules();
        var publicRule = rules.get(rules.size() - 1);
        assertThat(publicRule.getBackendRefs())
                .extracting(b ->
                        b.getGroup() + "/" + b.getKind() + "/" + b.getName() + "=" + b.getWeight() + ":" + b.getPort())
                .containsExactly("traefik.io/TraefikService/assistant-mirror-public-u=1:null");
        assertThat(publicRule.getFilters()).extracting(f -> f.getType()).containsExactly("RequestHeaderModifier");
        assertThat(out.get(1).getSpec().getRules()).singleElement().satisfies(r -> {
            assertThat(r.getBackendRefs()).extracting(b -> b.getName()).containsExactly("assistant-stable");
            assertThat(r.getFilters()).extracting(f -> f.getType()).containsExactly("RequestHeaderModifier");
        });

        assertThat(new TraefikMirror(null, null, new ServerDefaults("img", 8080), null).desired(mr, shadow, out))
                .singleElement()
                .satisfies(s -> {
                    assertThat(s.getMetadata().getName()).isEqualTo("assistant-mirror-public-u");
                    assertThat(s.getMetadata().getNamespace()).isEqualTo("ml");
                    assertThat(s.getMetadata().getOwnerReferences())
                            .singleElement()
                            .satisfies(o -> assertThat(o.getUid()).isEqualTo("u"));
                    assertThat(s.getSpec())
                            .isEqualTo(Map.of(
                                    "mirroring",
                                    Map.of(
                                            "name",
                                            "assistant-stable",
                                            "port",
                                            9000,
                                            "maxBodySize",
                                            1_048_576,
                                            "mirrors",
                                            List.of(Map.of(
                                                    "name", "assistant-canary",
                                                    "port", 9000,
                                                    "percent", 20)))));
                });
        assertThat(routes.desired(mr, shadow.withoutMirror(), false, true))
                .as("without a mirror, the routes are as without Traefik")
                .isEqualTo(routes.desired(mr, shadow.withoutMirror(), false));
    }

    /**
     * Issue 17, item 5: with inferencePool every backendRef names a track's InferencePool (no port: the pool has its
     * own), audience rules as public; the shadow stage's mirror still copies to the canary's Service.
     */
    @Test
    void withInferencePoolEveryBackendRefNamesATracksPoolAndTheMirrorStaysOnTheService() {
        GatewayApiSpec gw = new GatewayApiSpec()
                .withParentRefs(List.of(new ParentReference().withName("gw")))
                .withHeaderAudiences(new HeaderAudiencesSpec().withTrust(HeaderTrust.AUTH_PROXY))
                .withInferencePool(new InferencePoolSpec());
        List<HTTPRoute> out = routes.desired(release(gw), new TrafficSplit("1", "2", Set.of("internal"), 25));
        assertThat(out.get(0).getSpec().getRules())
                .flatExtracting(r -> r.getBackendRefs())
                .extracting(b ->
                        b.getGroup() + "/" + b.getKind() + "/" + b.getName() + "=" + b.getWeight() + ":" + b.getPort())
                .containsExactly(
                        "inference.networking.k8s.io/InferencePool/assistant-canary=1:null",
                        "inference.networking.k8s.io/InferencePool/assistant-stable=1:null",
                        "inference.networking.k8s.io/InferencePool/assistant-stable=75:null",
                        "inference.networking.k8s.io/InferencePool/assistant-canary=25:null");

        var shadowRules = routes.desired(
                        release(gw), new TrafficSplit("1", null, "2", Set.of(), 0, 20, Set.of("public")))
                .get(0)
                .getSpec()
                .getRules();
        assertThat(shadowRules
                        .get(shadowRules.size() - 1)
                        .getFilters()
                        .get(1)
                        .getRequestMirror()
                        .getBackendRef())
                .satisfies(ref -> {
                    assertThat(ref.getKind()).isEqualTo("Service");
                    assertThat(ref.getName()).isEqualTo("assistant-canary");
                    assertThat(ref.getPort()).isEqualTo(9000);
                });
    }

    static ModelRelease release(GatewayApiSpec gw) {
        ModelRelease mr = new ModelRelease();
        mr.setMetadata(new ObjectMetaBuilder()
                .withName("assistant")
                .withNamespace("ml")
                .withUid("u")
                .build());
        mr.setSpec(new ModelReleaseSpec()
                .withModel(new ModelSpec().withName("a").withVersion("2").withUri("file:///m"))
                .withServer(new ServerSpec().withPort(9000))
                .withTraffic(new TrafficSpec().withRouter(Router.GATEWAY_API).withGatewayAPI(gw)));
        return mr;
    }
}
