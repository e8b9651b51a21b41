package dev.fledge.operator.validation;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.fledge.api.ModelRelease;
import dev.fledge.api.spec.AudienceRouteSpec;
import dev.fledge.api.spec.GatewayApiSpec;
import dev.fledge.api.spec.InferencePoolSpec;
import dev.fledge.api.spec.ParentReference;
import dev.fledge.api.spec.Router;
import dev.fledge.api.spec.TrafficSpec;
import io.smallrye.config.EnvConfigSource;
import io.smallrye.config.SmallRyeConfigBuilder;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;

/**
 * A tenant whose release may write HTTPRoutes must not attach them to a Gateway the platform did not give it, nor
 * claim a hostname of another tenant on a shared listener (an exact hostname beats a route without one).
 */
class RoutePolicyTest {
    final SpecValidator limited = new SpecValidator(
            PodTemplatePolicy.anyImage(),
            new RoutePolicy(List.of("{namespace}/*", "gateways/shared-gw"), List.of("*.{namespace}.example.com")),
            Duration.ZERO);

    static ModelRelease release(String namespace, GatewayApiSpec gateway) {
        ModelRelease mr = SpecValidatorTest.release("assistant", SpecValidatorTest.valid());
        mr.getMetadata().setNamespace(namespace);
        mr.getSpec()
                .withTraffic(new TrafficSpec().withRouter(Router.GATEWAY_API).withGatewayAPI(gateway));
        return mr;
    }

    static ParentReference gw(String namespace, String name) {
        return new ParentReference().withNamespace(namespace).withName(name);
    }

    /**
     * Issue 17, item 5: InferencePools are off unless the platform turns them on, since the release's namespace would
     * run the endpoint picker that tells the Gateway where each of its requests goes.
     */
    @Test
    void inferencePoolsAreInvalidUnlessTheOperatorAllowsThem() {
        var spec = new GatewayApiSpec()
                .withParentRefs(List.of(gw("team-b", "public-gw")))
                .withHostnames(List.of("assistant.team-b.example.com"))
                .withInferencePool(new InferencePoolSpec());
        assertThat(limited.validate(release("team-b", spec)))
                .singleElement()
                .satisfies(
                        e -> assertThat(e)
                                .startsWith(
                                        "spec.traffic.gatewayAPI.inferencePool: not enabled on this operator (setting"
                                                + " fledge.routing.inference-pools.enabled, chart value operator.routing.inferencePools)"));
        var allowing = new SpecValidator(
                PodTemplatePolicy.anyImage(),
                new RoutePolicy(List.of("{namespace}/*"), List.of("*.{namespace}.example.com"), true),
                Duration.ZERO);
        assertThat(allowing.validate(release("team-b", spec))).isEmpty();
    }

    /**
     * A parentRef is read by its name (GET .../gateways/NAME): a release stored before the schema's pattern, whose name
     * carries a path, is refused by any operator, limited or not, and its Gateway is never read.
     */
    @Test
    void aParentRefThatIsNotAKubernetesNameIsRefusedByAnyOperator() {
        var spec = new GatewayApiSpec()
                .withParentRefs(List.of(
                        gw(null, "public-gw/status"),
                        gw("../kube-system", "public-gw"),
                        gw("team-b", "public-gw.v2"),
                        gw(null, "Public-GW"),
                        gw("", "public-gw")))
                .withHostnames(List.of("assistant.team-b.example.com"));

        String rule = " is not a Kubernetes name (lower case letters, digits, '-' and, in a name, '.'; starting and"
                + " ending with a letter or digit)";
        assertThat(new SpecValidator().validate(release("team-b", spec)))
                .containsExactly(
                        "spec.traffic.gatewayAPI.parentRefs[0]: Gateway name \"public-gw/status\"" + rule,
                        "spec.traffic.gatewayAPI.parentRefs[1]: Gateway name \"public-gw\" in namespace \"../kube-system\""
                                + rule,
                        "spec.traffic.gatewayAPI.parentRefs[3]: Gateway name \"Public-GW\"" + rule,
                        "spec.traffic.gatewayAPI.parentRefs[4]: Gateway name \"public-gw\" in namespace \"\"" + rule);
        // the same under a limited operator, before its own limits are looked at
        assertThat(limited.validate(release("team-b", spec)))
                .contains("spec.traffic.gatewayAPI.parentRefs[0]: Gateway name \"public-gw/status\"" + rule);
    }

    @Test
    void aTenantCannotClaimAnotherTenantsHostnameOnASharedGateway() {
        var spec = new GatewayApiSpec()
                .withParentRefs(List.of(gw("gateways", "shared-gw")))
                .withHostnames(List.of("assistant.team-b.example.com"))
                .withInternal(new AudienceRouteSpec().withHostnames(List.of("assistant.team-a.example.com")));

        assertThat(limited.validate(release("team-b", spec)))
                .containsExactly("spec.traffic.gatewayAPI.internal.hostnames[0]: assistant.team-a.example.com is not"
                        + " allowed by this operator (allowed: *.team-b.example.com)");
    }

    @Test
    void aTenantCannotAttachToAGatewayOfAnotherNamespace() {
        var spec = new GatewayApiSpec()
                .withParentRefs(List.of(gw("team-a", "public-gw")))
                .withHostnames(List.of("assistant.team-b.example.com"))
                .withClosed(new AudienceRouteSpec()
                        .withParentRefs(List.of(gw("kube-system", "infra")))
                        .withHostnames(List.of("closed.team-b.example.com")));

        assertThat(limited.validate(release("team-b", spec)))
                .containsExactlyInAnyOrder(
                        "spec.traffic.gatewayAPI.parentRefs[0]: Gateway team-a/public-gw is not allowed by this"
                                + " operator (allowed: team-b/*, gateways/shared-gw)",
                        "spec.traffic.gatewayAPI.closed.parentRefs[0]: Gateway kube-system/infra is not allowed by"
                                + " this operator (allowed: team-b/*, gateways/shared-gw)");
    }

    @Test
    void withHostnamesLimitedThePublicRouteMustNameItsOwn() {
        var spec = new GatewayApiSpec().withParentRefs(List.of(gw("gateways", "shared-gw")));

        assertThat(limited.validate(release("team-b", spec)))
                .singleElement()
                .asString()
                .startsWith("spec.traffic.gatewayAPI.hostnames: required by this operator");
    }

    @Test
    void withHostnamesLimitedAnAudiencesOwnRouteMustNameItsOwnToo() {
        var spec = new GatewayApiSpec()
                .withParentRefs(List.of(gw("gateways", "shared-gw")))
                .withHostnames(List.of("assistant.team-b.example.com"))
                .withInternal(new AudienceRouteSpec().withParentRefs(List.of(gw("gateways", "shared-gw"))));

        assertThat(limited.validate(release("team-b", spec)))
                .singleElement()
                .asString()
                .startsWith("spec.traffic.gatewayAPI.internal.hostnames: required by this operator");
        assertThat(new SpecValidator().validate(release("team-b", spec)))
                .as("without limits an audience route may still claim every host of its own listener")
                .isEmpty();
    }

    @Test
    void aReleaseWithinItsOwnNamespaceAndDomainIsValid() {
        var spec = new GatewayApiSpec()
                .withParentRefs(List.of(new ParentReference().withName("public-gw"))) // default: its own namespace
                .withHostnames(List.of("assistant.team-b.example.com", "*.beta.team-b.example.com"))
                .withInternal(new AudienceRouteSpec()
                        .withParentRefs(List.of(gw("gateways", "shared-gw")))
                        .withHostnames(List.of("Internal.Team-B.example.com")));

        assertThat(limited.validate(release("team-b", spec))).isEmpty();
    }

    @Test
    void aHostnameMatchesOnlyBelowTheSuffixNotBesideIt() {
        assertThat(RoutePolicy.hostnameMatches("*.team-b.example.com", "x", "a.team-b.example.com"))
                .isTrue();
        assertThat(RoutePolicy.hostnameMatches("*.team-b.example.com", "x", "*.team-b.example.com"))
                .isTrue();
        assertThat(RoutePolicy.hostnameMatches("*.team-b.example.com", "x", "team-b.example.com"))
                .as("the suffix itself is not below it")
                .isFalse();
        assertThat(RoutePolicy.hostnameMatches("*.team-b.example.com", "x", "a.evilteam-b.example.com"))
                .isFalse();
        assertThat(RoutePolicy.hostnameMatches("*.team-b.example.com", "x", "*.example.com"))
                .as("a wider wildcard than allowed")
                .isFalse();
        assertThat(RoutePolicy.hostnameMatches("api.{namespace}.example.com", "team-b", "api.team-b.example.com"))
                .isTrue();
    }

    @Test
    void theNamespaceStandsInTheGatewayNameToo() {
        var perTenantGateway = new SpecValidator(
                PodTemplatePolicy.anyImage(), new RoutePolicy(List.of("infra/{namespace}"), List.of()), Duration.ZERO);
        var own = new GatewayApiSpec().withParentRefs(List.of(gw("infra", "team-b")));
        var other = new GatewayApiSpec().withParentRefs(List.of(gw("infra", "team-a")));

        assertThat(perTenantGateway.validate(release("team-b", own))).isEmpty();
        assertThat(perTenantGateway.validate(release("team-b", other)))
                .containsExactly("spec.traffic.gatewayAPI.parentRefs[0]: Gateway infra/team-a is not allowed by this"
                        + " operator (allowed: infra/team-b)");
    }

    @Test
    void aRouteInTheClusterIsOutsideTheLimitsByItsGatewayItsHostnamesOrHavingNone() {
        var policy = new RoutePolicy(List.of("{namespace}/*"), List.of("*.{namespace}.example.com"));

        assertThat(policy.outside("team-b", List.of("team-b/public-gw"), List.of("a.team-b.example.com")))
                .isEmpty();
        assertThat(policy.outside("team-b", List.of("gateways/shared-gw"), List.of("a.team-b.example.com")))
                .containsExactly("Gateway gateways/shared-gw is not allowed (allowed: team-b/*)");
        assertThat(policy.outside("team-b", List.of("team-b/public-gw"), List.of("a.team-a.example.com")))
                .containsExactly("hostname a.team-a.example.com is not allowed (allowed: *.team-b.example.com)");
        assertThat(policy.outside("team-b", List.of("team-b/public-gw"), List.of()))
                .singleElement()
                .asString()
                .contains("claims every host of its listeners");
        assertThat(RoutePolicy.any().outside("team-b", List.of("x/y"), List.of()))
                .isEmpty();
    }

    @Test
    void withoutLimitsAnyGatewayAndHostnameStaysValid() {
        var spec = new GatewayApiSpec()
                .withParentRefs(List.of(gw("team-a", "public-gw")))
                .withInternal(new AudienceRouteSpec().withHostnames(List.of("assistant.team-a.example.com")));

        assertThat(new SpecValidator().validate(release("team-b", spec))).isEmpty();
    }

    @Test
    void theEnvironmentVariablesTheChartSetsReachThePolicy() {
        // the chart joins operator.routing.allowedParentRefs / allowedHostnames with commas (MultiTenantDefaultsTest)
        var config = new SmallRyeConfigBuilder()
                .withSources(new EnvConfigSource(
                        Map.of(
                                "FLEDGE_ROUTING_ALLOWED_PARENT_REFS", "{namespace}/*,gateways/shared-gw",
                                "FLEDGE_ROUTING_ALLOWED_HOSTNAMES", "*.{namespace}.example.com"),
                        300))
                .build();
        var policy = new RoutePolicy(
                config.getValues("fledge.routing.allowed-parent-refs", String.class),
                config.getValues("fledge.routing.allowed-hostnames", String.class));

        assertThat(policy.allowedParentRefs()).containsExactly("{namespace}/*", "gateways/shared-gw");
        assertThat(policy.allowedHostnames()).containsExactly("*.{namespace}.example.com");
    }

    @Test
    void aMalformedSettingStopsTheOperatorWithItsName() {
        assertThatThrownBy(() -> new RoutePolicy(List.of("shared-gw"), List.of()))
                .hasMessageContaining("fledge.routing.allowed-parent-refs: shared-gw is not <namespace>/<name>");
        assertThatThrownBy(() -> new RoutePolicy(List.of(), List.of("*")))
                .hasMessageContaining("fledge.routing.allowed-hostnames: *");
    }
}
