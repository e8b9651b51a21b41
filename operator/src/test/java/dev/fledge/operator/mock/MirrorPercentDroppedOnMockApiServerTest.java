package dev.fledge.operator.mock;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ObjectNode;
import dev.fledge.api.ModelRelease;
import dev.fledge.core.rollout.TrafficSplit;
import dev.fledge.operator.config.OperatorAssembly;
import dev.fledge.operator.routing.Routed;
import dev.fledge.operator.routing.TrafficRouter;
import dev.fledge.operator.workload.ServerDefaults;
import dev.fledge.testsupport.FaultInjectingDispatcher;
import dev.fledge.testsupport.MockCluster;
import io.fabric8.kubernetes.api.model.gatewayapi.v1.HTTPRoute;
import io.fabric8.kubernetes.api.model.gatewayapi.v1.HTTPRouteRule;
import io.fabric8.kubernetes.client.KubernetesClient;
import io.fabric8.mockwebserver.http.Buffer;
import io.fabric8.mockwebserver.http.MockResponse;
import io.fabric8.mockwebserver.http.RecordedRequest;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.time.Clock;
import java.util.List;
import java.util.Set;
import java.util.concurrent.atomic.AtomicInteger;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

/**
 * The shadow stage's RequestMirror on an API server that stores the filter without its {@code percent} (a mutating
 * webhook that drops it, or a server that prunes what the CRD does not declare; a real API server under server-side
 * apply refuses such a field instead: MirrorOnOldGatewayApiCrdsOnRealApiServerTest in e2e). The Gateway would then copy
 * every request of the audience to the canary, not the share the release states. The router never stores such a
 * route: it asks with a dry run (which the test's mock server answers as it would store), writes the routes without a
 * mirror and says why.
 */
class MirrorPercentDroppedOnMockApiServerTest {
    /** Shadow stage: 20% of public requests copied to the canary, whose answers reach no user. */
    static final TrafficSplit SHADOW = new TrafficSplit("1.0.0", null, "2.0.0", Set.of(), 0, 20, Set.of("public"));

    /** The mock API server, pruning {@code percent} from every RequestMirror written while {@code pruning}. */
    static final class DroppingMirrorPercent extends FaultInjectingDispatcher {
        volatile boolean pruning = true;
        /** Drops the percent on real writes only, not in a dry run (a webhook that acts on real writes alone). */
        volatile boolean onRealWritesOnly;
        /** HTTPRoute writes (not dry runs) that carried a RequestMirror, pruned or not. */
        final AtomicInteger mirrorsWritten = new AtomicInteger();

        final AtomicInteger dryRuns = new AtomicInteger();

        @Override
        public MockResponse handlePatch(RecordedRequest request) {
            if (!request.getPath().split("\\?", 2)[0].contains("/httproutes/")) {
                return super.handlePatch(request);
            }
            try {
                ObjectMapper json = new ObjectMapper();
                JsonNode body = json.readTree(request.getUtf8Body());
                boolean mirror = false;
                boolean dryRun = request.getPath().contains("dryRun=All");
                for (JsonNode filter : body.findValues("requestMirror")) {
                    mirror = true;
                    if (pruning && !(dryRun && onRealWritesOnly) && filter instanceof ObjectNode m) {
                        m.remove("percent");
                    }
                }
                if (dryRun) {
                    // what would be stored, nothing stored (the mock CRUD server has no dry run of its own)
                    dryRuns.incrementAndGet();
                    return new MockResponse()
                            .setResponseCode(200)
                            .setHeader("Content-Type", "application/json")
                            .setBody(json.writeValueAsString(body));
                }
                if (mirror) {
                    mirrorsWritten.incrementAndGet();
                }
                return super.handlePatch(new RecordedRequest(
                        "HTTP/1.1",
                        request.method(),
                        request.getPath(),
                        request.getHeaders(),
                        new Buffer(json.writeValueAsBytes(body))));
            } catch (IOException e) {
                throw new UncheckedIOException(e);
            }
        }
    }

    final DroppingMirrorPercent api = new DroppingMirrorPercent();
    MockCluster cluster;
    KubernetesClient client;
    TrafficRouter router;
    ModelRelease release;

    @BeforeEach
    void start() throws Exception {
        cluster = new MockCluster(api);
        client = cluster.client();
        Releases.createNamespace(client);
        release = client.resource(Releases.gatewayApi("assistant", "2.0.0")).create();
        router = OperatorAssembly.routers(
                        client, Clock.systemUTC(), new ServerDefaults("fledge/model-server:0.1.0", 8080))
                .forRelease(release);
    }

    @AfterEach
    void stop() {
        cluster.close();
    }

    @Test
    void aMirrorWhosePercentTheApiServerWouldDropIsNeverWrittenAndTheDriftSaysWhy() {
        Routed routed = router.route(release, SHADOW, false);

        assertThat(routed.drift())
                .hasValueSatisfying(d -> assertThat(d)
                        .contains("would mirror [assistant-canary:8080=100], want [assistant-canary:8080=20]")
                        .contains("the routes carry no mirror"));
        assertThat(api.mirrorsWritten.get())
                .as("no route carrying the pruned mirror (every request copied) was ever stored")
                .isZero();
        assertThat(mirrors()).isEmpty();
        assertThat(weights()).as("users still go to stable only").allMatch(w -> w.startsWith("assistant-stable="));

        Routed again = router.route(release, SHADOW, false);
        assertThat(again.drift()).hasValueSatisfying(d -> assertThat(d).contains("the routes carry no mirror"));
        assertThat(api.dryRuns.get())
                .as("asked once per generation of the spec, not at every pass")
                .isEqualTo(1);

        TrafficRouter restarted = OperatorAssembly.routers(
                        client, Clock.systemUTC(), new ServerDefaults("fledge/model-server:0.1.0", 8080))
                .forRelease(release);
        assertThat(restarted.route(release, SHADOW, false).drift()).isPresent();
        assertThat(api.mirrorsWritten.get())
                .as("nor after a restart of the operator")
                .isZero();
        assertThat(mirrors()).isEmpty();
    }

    @Test
    void aMirrorTheDryRunKeptButTheRealWriteStoredOtherwiseIsTakenOutAtOnceAndNotWrittenAgain() {
        api.onRealWritesOnly = true;

        Routed routed = router.route(release, SHADOW, false);

        assertThat(routed.drift())
                .hasValueSatisfying(d -> assertThat(d)
                        .contains("mirrors [assistant-canary:8080=100], want [assistant-canary:8080=20]")
                        .contains("the routes carry no mirror until the spec changes"));
        assertThat(mirrors()).as("taken out in the same pass").isEmpty();
        int written = api.mirrorsWritten.get();
        assertThat(router.route(release, SHADOW, false).drift()).isPresent();
        assertThat(api.mirrorsWritten.get()).as("not written again").isEqualTo(written);
        assertThat(mirrors()).isEmpty();
    }

    @Test
    void anApiServerThatKeepsThePercentGetsTheMirrorAsWritten() {
        api.pruning = false; // the control: an API server and webhooks that keep the filter as written

        Routed routed = router.route(release, SHADOW, false);

        assertThat(routed.drift()).isEmpty();
        assertThat(mirrors()).containsExactly("assistant-canary=20");
    }

    @Test
    void sendingAnInvalidReleasesUsersBackToStableAlsoStopsTheMirror() {
        api.pruning = false;
        router.route(release, SHADOW, false);
        assertThat(mirrors()).containsExactly("assistant-canary=20");

        assertThat(OperatorAssembly.routers(
                                client, Clock.systemUTC(), new ServerDefaults("fledge/model-server:0.1.0", 8080))
                        .retreat()
                        .apply(release, false))
                .isEmpty();

        assertThat(mirrors())
                .as("no copy of a user's request goes to the canary any more")
                .isEmpty();
    }

    /** Every RequestMirror filter of the release's routes, as {@code service=percent}. */
    List<String> mirrors() {
        return rules().stream()
                .flatMap(r -> r.getFilters() == null ? java.util.stream.Stream.empty() : r.getFilters().stream())
                .filter(f -> f.getRequestMirror() != null)
                .map(f -> f.getRequestMirror().getBackendRef().getName() + "="
                        + f.getRequestMirror().getPercent())
                .toList();
    }

    List<String> weights() {
        return rules().stream()
                .flatMap(r -> r.getBackendRefs().stream())
                .filter(b -> b.getWeight() != null && b.getWeight() > 0)
                .map(b -> b.getName() + "=" + b.getWeight())
                .distinct()
                .toList();
    }

    List<HTTPRouteRule> rules() {
        return client.resources(HTTPRoute.class).inNamespace(Releases.NS).list().getItems().stream()
                .flatMap(r -> r.getSpec().getRules().stream())
                .toList();
    }
}
