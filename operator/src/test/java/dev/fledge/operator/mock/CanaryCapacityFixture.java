package dev.fledge.operator.mock;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ObjectNode;
import dev.fledge.api.ModelRelease;
import dev.fledge.api.spec.CanaryScaleSpec;
import dev.fledge.api.spec.DynamicStableScaleSpec;
import dev.fledge.api.spec.ServerSpec;
import dev.fledge.api.status.ModelReleaseStatus;
import dev.fledge.api.status.Phase;
import dev.fledge.testsupport.FaultInjectingDispatcher;
import io.fabric8.kubernetes.api.model.PodTemplateSpecBuilder;
import io.fabric8.kubernetes.api.model.Quantity;
import io.fabric8.kubernetes.api.model.apps.Deployment;
import io.fabric8.kubernetes.api.model.gatewayapi.v1.HTTPBackendRef;
import io.fabric8.kubernetes.api.model.gatewayapi.v1.HTTPRoute;
import io.fabric8.kubernetes.api.model.gatewayapi.v1.HTTPRouteRule;
import io.fabric8.mockwebserver.http.Buffer;
import io.fabric8.mockwebserver.http.MockResponse;
import io.fabric8.mockwebserver.http.RecordedRequest;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;

/**
 * spec.server.canary (matchTrafficWeight) and dynamicStableScale through a rollout on the mock API server, with the
 * gatewayAPI router: a sampler reads both Deployments' replicas and the public route's canary weight all along; the
 * assertions are on those samples. The rollback runs with the test's kubelet stopped, so stable's pods get ready only
 * when the test says.
 * <p>The fixture of {@link CanaryCapacityOnMockApiServerTest} and {@link CapacityHoldWritesOnMockApiServerTest}.
 */
abstract class CanaryCapacityFixture extends MockRolloutFixture<CanaryCapacityFixture.Sample> {
    /**
     * How long the operator may take to act on what a test did: generous, as the class runs beside others on two
     * loaded cores (the fresh run of 2026-12-02 saw a promotion step take over 10 s); a passing wait ends as soon as it
     * holds.
     */
    static final Duration SETTLE = Duration.ofSeconds(30);

    final OldCrd api = new OldCrd();

    /**
     * The mock API server, as with a CRD from before {@code status.canaryHeldSince} existed while {@code pruning}: the
     * API server then drops the field from every status write (structural pruning).
     */
    static final class OldCrd extends FaultInjectingDispatcher {
        volatile boolean pruning;

        @Override
        public MockResponse handlePatch(RecordedRequest request) {
            if (!pruning || !request.getPath().split("\\?", 2)[0].endsWith("/status")) {
                return super.handlePatch(request);
            }
            try {
                ObjectMapper json = new ObjectMapper();
                JsonNode body = json.readTree(request.getUtf8Body());
                if (body.get("status") instanceof ObjectNode st) {
                    st.remove("canaryHeldSince");
                }
                return super.handlePatch(new RecordedRequest(
                        "HTTP/1.1",
                        request.method(),
                        request.getPath(),
                        request.getHeaders(),
                        new Buffer(json.writeValueAsBytes(body))));
            } catch (java.io.IOException e) {
                throw new java.io.UncheckedIOException(e);
            }
        }
    }

    /** Both Deployments' replicas (spec and ready) and the public canary weight (percent) at one moment. */
    record Sample(int stable, int stableReady, int canary, int canaryReady, int weight) {
        int pods() {
            return Math.max(stable, stableReady) + Math.max(canary, canaryReady);
        }
    }

    @Override
    OldCrd api() {
        return api;
    }

    @Override
    void beforeOperator() {
        client.resource(RolloutOnMockApiServerTest.gateway("public-gw")).create();
    }

    /** A whole rollout with the promotion's hand-over, pod by pod: {@link CapacityBenchmark#awaitStatus}'s 90 s. */
    @Override
    Duration statusTimeout() {
        return CapacityBenchmark.STATUS_TIMEOUT;
    }

    static ServerSpec gpuServer(boolean dynamic) {
        ServerSpec server = new ServerSpec()
                .withReplicas(4)
                .withCanary(new CanaryScaleSpec().withMatchTrafficWeight(true))
                .withTemplate(new PodTemplateSpecBuilder()
                        .withNewSpec()
                        .addNewContainer()
                        .withName("model-server")
                        .withNewResources()
                        .withLimits(Map.of("nvidia.com/gpu", new Quantity("2")))
                        .endResources()
                        .endContainer()
                        .endSpec()
                        .build());
        return dynamic ? server.withDynamicStableScale(new DynamicStableScaleSpec()) : server;
    }

    /** 1.0.0 promoted, then 2.0.0 at public 50% (stable 3, canary 2, all ready), sampled from the edit on. */
    void atFiftyPercent() {
        ModelRelease mr = Releases.gatewayApi("assistant", "1.0.0");
        mr.getSpec().setServer(gpuServer(true));
        client.resource(mr).create();
        awaitStatus(s -> s.getPhase() == Phase.PROMOTED && "1.0.0".equals(s.getStableVersion()));
        await().atMost(SETTLE).until(() -> replicas("assistant-canary") == 0);
        startSampling();
        edit(r -> {
            r.getSpec().getModel().setVersion("2.0.0");
            r.getSpec().getModel().setUri("file:///models/2.0.0");
            r.getSpec().getStages().get(2).setStepDuration("1h"); // stays at 50%
            r.getSpec().getStages().get(2).setSteps(List.of(50, 100));
        });
        awaitStatus(s -> "public".equals(s.getStage()) && s.getCanaryWeight() == 50);
        await().atMost(SETTLE).until(() -> lastSample().equals(new Sample(3, 3, 2, 2, 50)));
    }

    /** At public 50%, the deadline passes: a rollback that holds 50% on the canary while stable has 3 of 4 ready. */
    void rolledBackAndHeld() {
        atFiftyPercent();
        kubelet.close(); // from here on the test says when pods are ready
        clock.advance(Duration.ofMinutes(11)); // the deadline passes: a rollback
        poke();
        awaitStatus(
                s -> s.getPhase() == Phase.ROLLED_BACK && Integer.valueOf(50).equals(s.getCanaryHeldWeight()));
        await().atMost(SETTLE).until(() -> replicas("assistant-stable") == 4);
    }

    /** While stable had fewer than 4 ready pods after {@code from}, the route kept {@code held}% on the canary. */
    void noTrafficBackBeforeStableIsWhole(int from, int held) {
        List<Sample> all = new ArrayList<>(samples);
        List<Sample> seen = all.subList(from, all.size());
        for (Sample s : seen) {
            if (s.stableReady() < 4) {
                assertThat(s.weight())
                        .as("traffic back on a stable that is not whole: %s", s)
                        .isEqualTo(held);
            }
        }
    }

    /** The messages of this release's events of {@code reason}. */
    List<String> events(String reason) {
        return client.v1().events().inNamespace(Releases.NS).list().getItems().stream()
                .filter(e -> reason.equals(e.getReason()))
                // each occurrence: a repeat counted on an Event (EventRecorder) appears as often as it happened
                .flatMap(e ->
                        java.util.Collections.nCopies(e.getCount() == null ? 1 : e.getCount(), e.getMessage()).stream())
                .toList();
    }

    /** The version label of the Deployment's pod template. */
    String version(String name) {
        Deployment d = deployment(name);
        return d == null
                ? null
                : d.getSpec().getTemplate().getMetadata().getLabels().get("fledge.dev/version");
    }

    /** The reason of the True condition {@code type}, or null. */
    static String condition(ModelReleaseStatus st, String type) {
        return st.getConditions() == null
                ? null
                : st.getConditions().stream()
                        .filter(c -> type.equals(c.getType()) && "True".equals(c.getStatus()))
                        .map(io.fabric8.kubernetes.api.model.Condition::getReason)
                        .findFirst()
                        .orElse(null);
    }

    boolean hasEvent(String reason) {
        return client.v1().events().inNamespace(Releases.NS).list().getItems().stream()
                .anyMatch(e -> reason.equals(e.getReason()));
    }

    // --- sampling

    void startSampling() {
        // the route first: stable's ready pods only grow in these tests, so a sample that shows traffic back on a
        // stable short of pods shows what really happened, never a route moved between reads
        sample(() -> {
            int weight = publicCanaryWeight();
            return new Sample(
                    replicas("assistant-stable"),
                    ready("assistant-stable"),
                    replicas("assistant-canary"),
                    ready("assistant-canary"),
                    weight);
        });
    }

    Sample lastSample() {
        return samples.isEmpty() ? new Sample(0, 0, 0, 0, -1) : samples.get(samples.size() - 1);
    }

    /** The canary's percent of the public rule (the route's last rule), 0 when it names no canary. */
    int publicCanaryWeight() {
        HTTPRoute route = client.resources(HTTPRoute.class)
                .inNamespace(Releases.NS)
                .withName("assistant")
                .get();
        if (route == null) {
            return 0;
        }
        List<HTTPRouteRule> rules = route.getSpec().getRules();
        HTTPRouteRule pub = rules.get(rules.size() - 1);
        int total = 0;
        int canary = 0;
        for (HTTPBackendRef b : pub.getBackendRefs()) {
            int w = b.getWeight() == null ? 1 : b.getWeight();
            total += w;
            if ("assistant-canary".equals(b.getName())) {
                canary += w;
            }
        }
        return total == 0 ? 0 : canary * 100 / total;
    }

    /** 1.0.0 promoted with {@code server}, then sampled while 2.0.0 rolls out, until it is promoted. */
    void sampleRolloutToTwo(ServerSpec server) {
        ModelRelease mr = Releases.gatewayApi("assistant", "1.0.0");
        mr.getSpec().setServer(server);
        client.resource(mr).create();
        awaitStatus(s -> s.getPhase() == Phase.PROMOTED && "1.0.0".equals(s.getStableVersion()));
        await().atMost(SETTLE).until(() -> replicas("assistant-canary") == 0);
        startSampling();
        edit(r -> {
            r.getSpec().getModel().setVersion("2.0.0");
            r.getSpec().getModel().setUri("file:///models/2.0.0");
        });
        awaitStatus(s -> s.getPhase() == Phase.PROMOTED && "2.0.0".equals(s.getStableVersion()));
    }
}
