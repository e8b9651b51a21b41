package dev.fledge.operator.routing;

import static dev.fledge.operator.routing.HttpRoutesTest.release;
import static org.assertj.core.api.Assertions.assertThat;

import dev.fledge.api.spec.AudienceRouteSpec;
import dev.fledge.api.spec.GatewayApiSpec;
import dev.fledge.api.spec.HeaderAudiencesSpec;
import dev.fledge.api.spec.HeaderMatchSpec;
import dev.fledge.api.spec.HeaderTrust;
import dev.fledge.api.spec.ParentReference;
import dev.fledge.api.spec.StageName;
import dev.fledge.api.spec.StageSpec;
import java.util.List;
import org.junit.jupiter.api.Test;

/** Issue 15, finding 5: header audiences are an explicit opt-in that states its trust. */
class AudienceTrustTest {

    static GatewayApiSpec publicGw() {
        return new GatewayApiSpec()
                .withParentRefs(
                        List.of(new ParentReference().withName("public-gw").withSectionName("https")));
    }

    @Test
    void anAudienceStageWithoutItsOwnRouteOrTheHeaderOptInIsAWarningNamingTheField() {
        assertThat(AudienceTrust.notRouted(release(publicGw()
                        .withInternal(new AudienceRouteSpec()
                                .withParentRefs(List.of(new ParentReference().withName("internal-gw")))))))
                .hasValueSatisfying(w -> {
                    assertThat(w.type()).isEqualTo("AudienceNotRouted");
                    assertThat(w.reason()).isEqualTo("HeaderAudienceNotTrusted");
                    assertThat(w.message())
                            .startsWith("the closed stage has no route of its own (spec.traffic.gatewayAPI.closed")
                            .contains("spec.traffic.gatewayAPI.headerAudiences.trust")
                            .doesNotContain("internal stage");
                });
    }

    @Test
    void aHeaderSettingWithoutTheOptInIsIgnoredWithAWarning() {
        assertThat(AudienceTrust.notRouted(release(publicGw()
                        .withInternal(new AudienceRouteSpec().withHostnames(List.of("internal.example.com")))
                        .withClosed(new AudienceRouteSpec()
                                .withHeader(new HeaderMatchSpec()
                                        .withName("X-Group")
                                        .withValue("beta"))))))
                .hasValueSatisfying(w -> assertThat(w.message())
                        .startsWith("spec.traffic.gatewayAPI.closed.header is ignored without the opt-in"));
    }

    @Test
    void anAudienceThatIsNoStageNeedsNoRoute() {
        var mr = release(
                publicGw().withInternal(new AudienceRouteSpec().withHostnames(List.of("internal.example.com"))));
        mr.getSpec()
                .setStages(List.of(
                        new StageSpec().withName(StageName.INTERNAL),
                        new StageSpec().withName(StageName.PUBLIC).withSteps(List.of(100))));
        assertThat(AudienceTrust.notRouted(mr)).isEmpty();
        assertThat(AudienceTrust.warning(mr)).isEmpty();
    }

    @Test
    void headerAudiencesBehindAnAuthProxyCarryTheWarningNamingTheSharedListener() {
        var mr = release(publicGw()
                .withHeaderAudiences(new HeaderAudiencesSpec().withTrust(HeaderTrust.AUTH_PROXY))
                .withInternal(new AudienceRouteSpec()
                        .withParentRefs(List.of(new ParentReference().withName("internal-gw")))));
        assertThat(AudienceTrust.notRouted(mr)).isEmpty();
        assertThat(AudienceTrust.warning(mr)).hasValueSatisfying(w -> {
            assertThat(w.type()).isEqualTo("HeaderAudienceOnPublicListener");
            assertThat(w.message())
                    .startsWith("closed (header X-Fledge-Audience) share the public listeners [public-gw#https]")
                    .doesNotContain("internal");
        });
    }

    @Test
    void noWarningWhenTheListenersArePrivateOrNoAudienceUsesAHeader() {
        var privateListener = release(
                publicGw().withHeaderAudiences(new HeaderAudiencesSpec().withTrust(HeaderTrust.PRIVATE_LISTENER)));
        assertThat(AudienceTrust.notRouted(privateListener)).isEmpty();
        assertThat(AudienceTrust.warning(privateListener)).isEmpty();

        var ownRoutes = release(publicGw()
                .withHeaderAudiences(new HeaderAudiencesSpec().withTrust(HeaderTrust.AUTH_PROXY))
                .withInternal(new AudienceRouteSpec().withHostnames(List.of("internal.example.com")))
                .withClosed(new AudienceRouteSpec().withHostnames(List.of("beta.example.com"))));
        assertThat(AudienceTrust.warning(ownRoutes)).isEmpty();
    }

    @Test
    void anAudienceRoutedByHostnameOnlyOnThePublicListenersCarriesAWarning() {
        var mr = release(publicGw()
                .withInternal(
                        new AudienceRouteSpec().withParentRefs(List.of(new ParentReference().withName("internal-gw"))))
                .withClosed(new AudienceRouteSpec().withHostnames(List.of("beta.example.com"))));
        assertThat(AudienceTrust.hostnameOnPublicListener(mr)).hasValueSatisfying(w -> {
            assertThat(w.type()).isEqualTo("AudienceHostnameOnPublicListener");
            assertThat(w.message())
                    .startsWith("closed (hostnames [beta.example.com]) inherit the public listeners [public-gw#https]")
                    .doesNotContain("internal");
        });
        var declaredPrivate = release(publicGw()
                .withHeaderAudiences(new HeaderAudiencesSpec().withTrust(HeaderTrust.PRIVATE_LISTENER))
                .withClosed(new AudienceRouteSpec().withHostnames(List.of("beta.example.com"))));
        assertThat(AudienceTrust.hostnameOnPublicListener(declaredPrivate)).isEmpty();
    }
}
