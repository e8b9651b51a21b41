package dev.fledge.operator.mock;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import dev.fledge.api.Labels;
import dev.fledge.api.ModelRelease;
import dev.fledge.api.spec.GatewayApiSpec;
import dev.fledge.api.spec.ParentReference;
import dev.fledge.api.spec.Router;
import dev.fledge.api.spec.ServerSpec;
import dev.fledge.api.spec.TrafficSpec;
import dev.fledge.api.status.ModelReleaseStatus;
import dev.fledge.api.status.Phase;
import dev.fledge.operator.gates.ConfiguredGates;
import dev.fledge.testsupport.FaultInjectingDispatcher;
import io.fabric8.kubernetes.api.model.ObjectMetaBuilder;
import io.fabric8.kubernetes.api.model.Service;
import io.fabric8.kubernetes.api.model.gatewayapi.v1.Gateway;
import io.fabric8.kubernetes.api.model.gatewayapi.v1.GatewaySpec;
import io.fabric8.kubernetes.api.model.gatewayapi.v1.HTTPRoute;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;

/**
 * Traffic moves first, pods after: a canary the split no longer runs keeps its pods until no route or Service sends
 * it requests and {@code scaleDownDelay} has passed since, on the operator's clock (a test clock moved on by hand).
 * A sampler reads the routing objects and the canary Deployment all along; the assertions are on those samples.
 */
class CanaryScaleDownOnMockApiServerTest extends MockRolloutFixture<CanaryScaleDownOnMockApiServerTest.Sample> {
    static final Duration DELAY = Duration.ofSeconds(30);

    final FaultInjectingDispatcher api = new FaultInjectingDispatcher();

    /** What the routing objects and the canary Deployment said at one moment of the operator's clock. */
    record Sample(Instant at, int canaryReplicas, List<String> toCanary) {}

    @Override
    FaultInjectingDispatcher api() {
        return api;
    }

    @Test
    void anOrdinaryRollbackUnderTheReplicasRouterKeepsTheCanaryPublicUntilStableIsFullThenWaitsTheDelay() {
        ModelRelease mr = Releases.release(
                "assistant",
                "1.0.0",
                new TrafficSpec().withRouter(Router.REPLICAS).withScaleDownDelay("30s"));
        mr.getSpec().setServer(new ServerSpec().withReplicas(4));
        client.resource(mr).create();
        awaitStatus(s -> s.getPhase() == Phase.PROMOTED);
        edit(r -> {
            r.getSpec().getModel().setVersion("2.0.0");
            r.getSpec().getModel().setUri("file:///models/2.0.0");
            r.getSpec().getStages().get(2).setStepDuration("1h"); // stays at 25%
        });
        awaitStatus(s -> "public".equals(s.getStage()) && s.getCanaryWeight() == 25);
        await().atMost(Duration.ofSeconds(10))
                .until(() -> replicas("assistant-stable") == 3 && ready("assistant-stable") == 3);
        startSampling(this::serviceTracksOnCanary);

        kubelet.close(); // from here on the test says when pods are ready
        // the deadline passes: an ordinary rollback (after an abort or a critical failure the canary leaves at once)
        clock.advance(Duration.ofMinutes(11));
        poke();
        awaitStatus(s -> s.getPhase() == Phase.ROLLED_BACK);
        await().atMost(Duration.ofSeconds(10)).until(() -> replicas("assistant-stable") == 4);
        pause(Duration.ofSeconds(1));
        assertThat(selectors())
                .as("stable has 3 of 4 pods ready: the canary's pod stays in the public Service")
                .containsExactly("assistant=both", "assistant-internal=stable", "assistant-closed=stable");
        assertThat(replicas("assistant-canary")).isEqualTo(1);
        assertThat(status().getCanaryScaleDownAt())
                .as("no route change yet, no delay running")
                .isNull();

        markReady("assistant-stable", 4);
        ModelReleaseStatus draining = awaitStatus(s -> s.getCanaryScaleDownAt() != null);
        assertThat(selectors())
                .containsExactly("assistant=stable", "assistant-internal=stable", "assistant-closed=stable");
        Instant routedAway = routedAway();
        assertThat(Instant.parse(draining.getCanaryScaleDownAt()))
                .isBetween(
                        routedAway.plus(DELAY).minusSeconds(2),
                        routedAway.plus(DELAY).plusSeconds(2));

        operator.close();
        operator = new OperatorUnderTest(client, new ConfiguredGates(Map.of()), clock);
        pause(Duration.ofSeconds(2));
        assertThat(replicas("assistant-canary"))
                .as("a restarted operator keeps to the recorded time")
                .isEqualTo(1);
        assertThat(status().getCanaryScaleDownAt()).isEqualTo(draining.getCanaryScaleDownAt());

        clock.advance(DELAY.plusSeconds(1));
        poke();
        await().atMost(Duration.ofSeconds(10)).until(() -> replicas("assistant-canary") == 0);
        assertScaledDownOnlyAfterTheRoutesLeftItAndTheDelayPassed();
    }

    @Test
    void aPromotionUnderTheGatewayRouterMovesTheRouteThenScalesTheCanaryDownAfterTheDefaultDelay() {
        client.resource(gateway()).create();
        ModelRelease mr = Releases.release(
                "assistant",
                "1.0.0",
                new TrafficSpec()
                        .withRouter(Router.GATEWAY_API)
                        .withGatewayAPI(new GatewayApiSpec()
                                .withParentRefs(List.of(new ParentReference().withName("public-gw")))));
        mr.getSpec().getTraffic().setScaleDownDelay(null); // the default, 30s
        client.resource(mr).create();
        // the promotion is stored before the routes move; the drain clock is recorded once they have
        awaitStatus(s -> s.getPhase() == Phase.PROMOTED && s.getCanaryScaleDownAt() != null);
        clock.advance(DELAY.plusSeconds(1)); // the first version's canary goes
        poke();
        await().atMost(Duration.ofSeconds(10)).until(() -> replicas("assistant-canary") == 0);

        startSampling(this::routeBackendsOnCanary);
        edit(r -> {
            r.getSpec().getModel().setVersion("2.0.0");
            r.getSpec().getModel().setUri("file:///models/2.0.0");
        });
        awaitStatus(s -> s.getPhase() == Phase.PROMOTED && "2.0.0".equals(s.getStableVersion()));
        ModelReleaseStatus draining = awaitStatus(s -> s.getCanaryScaleDownAt() != null);
        pause(Duration.ofSeconds(1));
        assertThat(routeBackendsOnCanary()).as("nothing routes to the canary").isEmpty();
        assertThat(replicas("assistant-canary"))
                .as("the canary keeps its pods for the delay")
                .isEqualTo(2);
        Instant routedAway = routedAway();
        assertThat(samples).anySatisfy(s -> assertThat(s.toCanary()).isNotEmpty());
        // never before the delay after the route left the canary; the clock counts from the Gateway's acceptance,
        // which follows the route write by the simulated Gateway's latency (seconds on a loaded machine)
        assertThat(Instant.parse(draining.getCanaryScaleDownAt()))
                .isBetween(
                        routedAway.plus(DELAY).minusSeconds(2),
                        routedAway.plus(DELAY).plusSeconds(6));

        clock.advance(DELAY.plusSeconds(1));
        poke();
        await().atMost(Duration.ofSeconds(10)).until(() -> replicas("assistant-canary") == 0);
        awaitStatus(s -> s.getCanaryScaleDownAt() == null);
        assertScaledDownOnlyAfterTheRoutesLeftItAndTheDelayPassed();
    }

    /**
     * At every sample where the canary has no pods, nothing routes to it, and the last sample that still routed to it
     * is at least the delay earlier.
     */
    void assertScaledDownOnlyAfterTheRoutesLeftItAndTheDelayPassed() {
        await().atMost(Duration.ofSeconds(2))
                .until(() -> samples.get(samples.size() - 1).canaryReplicas() == 0);
        sampling = false;
        List<Sample> seen = new ArrayList<>(samples);
        Instant lastRouted = null;
        for (Sample s : seen) {
            if (!s.toCanary().isEmpty()) {
                lastRouted = s.at();
            }
            if (s.canaryReplicas() == 0) {
                assertThat(s.toCanary())
                        .as("routes to a canary without pods at %s", s.at())
                        .isEmpty();
                if (lastRouted != null) {
                    assertThat(Duration.between(lastRouted, s.at()))
                            .as("time from the last route to the canary until it had no pods")
                            .isGreaterThanOrEqualTo(DELAY);
                }
            }
        }
        assertThat(seen)
                .as("samples with the canary at zero")
                .anySatisfy(s -> assertThat(s.canaryReplicas()).isZero());
    }

    // --- sampling

    void startSampling(java.util.function.Supplier<List<String>> toCanary) {
        sample(() -> {
            Instant at = clock.instant();
            List<String> routes = toCanary.get();
            return new Sample(at, replicas("assistant-canary"), routes);
        });
    }

    /** The first sample after the last one in which something routed to the canary. */
    Instant routedAway() {
        // the status can be read before the sampler's next look at the routes: wait for a sample that no longer
        // routes to the canary (the test's assertions before this call say the routes have left it)
        await().atMost(Duration.ofSeconds(5))
                .until(() -> !samples.isEmpty()
                        && samples.get(samples.size() - 1).toCanary().isEmpty());
        List<Sample> seen = new ArrayList<>(samples);
        int last = -1;
        for (int i = 0; i < seen.size(); i++) {
            if (!seen.get(i).toCanary().isEmpty()) {
                last = i;
            }
        }
        assertThat(last).as("a sample routed to the canary").isNotNegative();
        assertThat(last).as("a sample after the routes left the canary").isLessThan(seen.size() - 1);
        return seen.get(last + 1).at();
    }

    /** Services that select the canary track, or both tracks. */
    List<String> serviceTracksOnCanary() {
        return selectors().stream().filter(s -> !s.endsWith("=stable")).toList();
    }

    /** HTTPRoute backendRefs that send requests to the canary Service. */
    List<String> routeBackendsOnCanary() {
        HTTPRoute route = client.resources(HTTPRoute.class)
                .inNamespace(Releases.NS)
                .withName("assistant")
                .get();
        if (route == null) {
            return List.of();
        }
        List<String> out = new ArrayList<>();
        route.getSpec()
                .getRules()
                .forEach(rule -> rule.getBackendRefs().stream()
                        .filter(b ->
                                "assistant-canary".equals(b.getName()) && (b.getWeight() == null || b.getWeight() > 0))
                        .forEach(b -> out.add(b.getName() + "=" + b.getWeight())));
        return out;
    }

    List<String> selectors() {
        return List.of("assistant", "assistant-internal", "assistant-closed").stream()
                .map(n -> {
                    Service s = client.services()
                            .inNamespace(Releases.NS)
                            .withName(n)
                            .get();
                    return n + "=" + s.getSpec().getSelector().getOrDefault(Labels.TRACK, "both");
                })
                .toList();
    }

    // --- helpers

    static Gateway gateway() {
        Gateway gw = new Gateway();
        gw.setMetadata(new ObjectMetaBuilder()
                .withName("public-gw")
                .withNamespace(Releases.NS)
                .build());
        gw.setSpec(new GatewaySpec());
        gw.getSpec().setGatewayClassName("example");
        return gw;
    }
}
