package dev.fledge.e2e.apiserver;

import static org.assertj.core.api.Assertions.assertThat;

import dev.fledge.api.Labels;
import dev.fledge.api.ModelRelease;
import dev.fledge.core.rollout.TrafficSplit;
import dev.fledge.e2e.rollout.ProductionReconciler;
import dev.fledge.e2e.rollout.TestReleases;
import dev.fledge.operator.config.OperatorAssembly;
import dev.fledge.operator.routing.Routers;
import io.fabric8.kubernetes.api.model.ObjectMetaBuilder;
import io.fabric8.kubernetes.api.model.gatewayapi.v1.HTTPRoute;
import io.fabric8.kubernetes.api.model.gatewayapi.v1.HTTPRouteRule;
import io.fabric8.kubernetes.api.model.gatewayapi.v1.HTTPRouteSpec;
import io.fabric8.kubernetes.client.KubernetesClient;
import java.time.Clock;
import java.util.List;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Tag;
import org.junit.jupiter.api.Test;

/**
 * The gatewayAPI router's routes as the real API server stores them (after the Gateway API CRDs' schema and
 * defaulting): the public rule keeps its header filter (issue 15, finding 5), and a route the release no longer
 * wants is deleted while a route it does not own is kept (issue 14, item 12).
 */
@Tag("apiserver")
class RoutesOnRealApiServerTest {
    static final String NS = "routes-real";

    static KubernetesClient client;
    static Routers routers;

    @BeforeAll
    static void install() {
        client = RealApiServer.shared().client();
        var cluster = new ClusterResources(client);
        cluster.installCrds(List.of(RepoFiles.modelReleaseCrd()));
        cluster.installCrds(RepoFiles.gatewayApiCrds());
        cluster.ensureNamespace(NS);
        routers = OperatorAssembly.routers(client, Clock.systemUTC(), ProductionReconciler.SERVER);
    }

    static ModelRelease stored(String name) {
        return client.resource(TestReleases.gatewayApi(NS, name, "1.0.0", "public-gw"))
                .fieldManager(ClusterResources.FIELD_MANAGER)
                .serverSideApply();
    }

    static HTTPRoute route(String name) {
        return client.resources(HTTPRoute.class).inNamespace(NS).withName(name).get();
    }

    @Test
    void theStoredPublicRuleRemovesTheAudienceHeaderAndEachHeaderRuleSetsItsOwn() {
        ModelRelease mr = stored("filters");
        routers.forRelease(mr).apply(mr, TrafficSplit.stableOnly("1.0.0"));

        List<HTTPRouteRule> rules = route("filters").getSpec().getRules();
        HTTPRouteRule publicRule = rules.get(rules.size() - 1);
        assertThat(publicRule.getMatches())
                .allSatisfy(m -> assertThat(m.getHeaders()).isNullOrEmpty());
        assertThat(publicRule.getFilters()).singleElement().satisfies(f -> {
            assertThat(f.getType()).isEqualTo("RequestHeaderModifier");
            assertThat(f.getRequestHeaderModifier().getRemove()).contains(Labels.AUDIENCE_HEADER);
        });
        assertThat(rules.subList(0, rules.size() - 1))
                .extracting(r -> r.getFilters()
                        .get(0)
                        .getRequestHeaderModifier()
                        .getSet()
                        .get(0)
                        .getValue())
                .containsExactly("internal", "closed");
    }

    @Test
    void aRenamedRouteIsDeletedAndRoutesTheReleaseDoesNotOwnAreKept() {
        ModelRelease mr = stored("renamed");
        ModelRelease neighbour = stored("neighbour");
        var router = routers.forRelease(mr);
        router.apply(mr, TrafficSplit.stableOnly("1.0.0"));
        routers.forRelease(neighbour).apply(neighbour, TrafficSplit.stableOnly("1.0.0"));
        // a route someone else made, carrying the release's label
        HTTPRoute foreign = new HTTPRoute();
        foreign.setMetadata(new ObjectMetaBuilder()
                .withName("renamed-by-hand")
                .withNamespace(NS)
                .addToLabels(Labels.RELEASE, "renamed")
                .build());
        foreign.setSpec(new HTTPRouteSpec());
        client.resource(foreign).fieldManager(ClusterResources.FIELD_MANAGER).serverSideApply();

        mr.getSpec().getTraffic().getGatewayAPI().setHttpRoute("renamed-v2");
        router.apply(mr, TrafficSplit.stableOnly("1.0.0"));

        assertThat(route("renamed")).as("the old name").isNull();
        assertThat(route("renamed-v2")).isNotNull();
        assertThat(route("renamed-by-hand")).as("not the release's").isNotNull();
        assertThat(route("neighbour")).as("another release's").isNotNull();
    }
}
