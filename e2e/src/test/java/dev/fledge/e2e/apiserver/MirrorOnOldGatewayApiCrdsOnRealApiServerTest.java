package dev.fledge.e2e.apiserver;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ObjectNode;
import com.fasterxml.jackson.dataformat.yaml.YAMLFactory;
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
import dev.fledge.operator.routing.Routed;
import io.fabric8.kubernetes.api.model.gatewayapi.v1.HTTPRoute;
import io.fabric8.kubernetes.client.KubernetesClient;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Clock;
import java.util.ArrayList;
import java.util.List;
import java.util.Set;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Tag;
import org.junit.jupiter.api.Test;

/**
 * The shadow stage's mirror on a real API server whose HTTPRoute CRD has no {@code percent} on RequestMirror, as the
 * Gateway API standard channel before v1.3 (made here from the vendored v1.4.0 CRD with that one field taken out).
 * Server-side apply refuses the undeclared field (it does not prune it), so without the dry run first the whole route
 * write failed at every pass; now the route is written without a mirror and the drift quotes the API server. Its own
 * API server, since the shared one holds the v1.4.0 CRD for every other suite; the control (v1.4.0 keeps the percent
 * through the same dry run) is {@link ShadowStageOnRealApiServerTest}.
 */
@Tag("apiserver")
class MirrorOnOldGatewayApiCrdsOnRealApiServerTest {
    static final String NS = "shadow-old-crds";

    static RealApiServer server;
    static KubernetesClient client;

    @BeforeAll
    static void start(@org.junit.jupiter.api.io.TempDir Path dir) throws IOException {
        server = RealApiServer.dedicated();
        client = server.client();
        ClusterResources cluster = new ClusterResources(client);
        cluster.installCrds(List.of(RepoFiles.modelReleaseCrd()));
        List<Path> crds = new ArrayList<>();
        for (Path crd : RepoFiles.gatewayApiCrds()) {
            crds.add(crd.getFileName().toString().contains("httproutes") ? withoutMirrorPercent(crd, dir) : crd);
        }
        cluster.installCrds(crds);
        cluster.ensureNamespace(NS);
    }

    @AfterAll
    static void stop() {
        if (server != null) {
            server.close();
        }
    }

    @Test
    void aMirrorPercentTheCrdDoesNotDeclareLeavesTheRouteWrittenWithoutAMirrorAndTheDriftQuotesTheApiServer() {
        ModelRelease mr = TestReleases.gatewayApi(NS, "mirrored", "2.0.0", "public-gw");
        List<StageSpec> stages = new ArrayList<>();
        stages.add(new StageSpec()
                .withName(StageName.SHADOW)
                .withMirrorPercent(20)
                .withMirrorFrom(List.of(MirrorSource.PUBLIC)));
        stages.addAll(mr.getSpec().getStages());
        mr.getSpec().setStages(stages);
        mr.getSpec().setAnalysis(new AnalysisSpec().withSafety(new SafetySpec().withOnline(true)));
        ModelRelease stored =
                client.resource(mr).fieldManager(ClusterResources.FIELD_MANAGER).serverSideApply();

        Routed routed = OperatorAssembly.routers(client, Clock.systemUTC(), ProductionReconciler.SERVER)
                .forRelease(stored)
                .route(stored, new TrafficSplit("1.0.0", null, "2.0.0", Set.of(), 0, 20, Set.of("public")), false);

        assertThat(routed.drift())
                .hasValueSatisfying(d -> assertThat(d)
                        .contains("could not be checked (dry run refused, 500")
                        .contains("requestMirror.percent: field not declared in schema")
                        .contains("the routes carry no mirror"));
        HTTPRoute route = client.resources(HTTPRoute.class)
                .inNamespace(NS)
                .withName("mirrored")
                .get();
        assertThat(route).as("the route itself is written, users on stable").isNotNull();
        assertThat(route.getSpec().getRules())
                .allSatisfy(rule -> assertThat(rule.getFilters())
                        .noneMatch(f -> f.getRequestMirror() != null || "RequestMirror".equals(f.getType())));
    }

    /** The HTTPRoute CRD with {@code percent} taken out of every RequestMirror filter schema. */
    static Path withoutMirrorPercent(Path crd, Path dir) throws IOException {
        ObjectMapper yaml = new ObjectMapper(new YAMLFactory());
        JsonNode doc = yaml.readTree(crd.toFile());
        int removed = 0;
        for (JsonNode mirror : doc.findValues("requestMirror")) {
            JsonNode properties = mirror.get("properties");
            if (properties instanceof ObjectNode p && p.remove("percent") != null) {
                removed++;
                // and its CEL rule, which names the field: "Only one of percent or fraction may be specified"
                ((ObjectNode) mirror).remove("x-kubernetes-validations");
            }
        }
        assertThat(removed)
                .as("RequestMirror schemas with a percent in %s", crd)
                .isPositive();
        Path out = dir.resolve("httproutes-without-mirror-percent.yaml");
        Files.writeString(out, yaml.writeValueAsString(doc));
        return out;
    }
}
