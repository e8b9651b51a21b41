package dev.fledge.operator.mock;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import dev.fledge.api.Labels;
import dev.fledge.api.ModelRelease;
import dev.fledge.api.spec.Router;
import dev.fledge.api.spec.ServerSpec;
import dev.fledge.api.spec.TrafficSpec;
import dev.fledge.api.status.ModelReleaseStatus;
import dev.fledge.api.status.Phase;
import dev.fledge.testsupport.FaultInjectingDispatcher;
import io.fabric8.kubernetes.api.model.Service;
import io.fabric8.kubernetes.api.model.apps.Deployment;
import io.fabric8.kubernetes.api.model.gatewayapi.v1.HTTPRoute;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Optional;

/**
 * The cluster, operator (on a clock the test moves), Gateway and helpers of the canary handover tests
 * ({@link CanaryHandoverOnMockApiServerTest}, {@link CanaryHandoverThroughRoutesOnMockApiServerTest}). Two classes, so
 * that two test JVMs (of the module's several) share them.
 */
abstract class CanaryHandoverFixture extends MockRolloutFixture<CanaryHandoverFixture.Sample> {
    final FaultInjectingDispatcher api = new FaultInjectingDispatcher();

    /**
     * One look at the cluster: the canary's version label (read first), what routes or Services send to the canary
     * (read next), then the ready pods of each track and which tracks the public Service selects.
     */
    record Sample(String canaryVersion, List<String> toCanary, int stableReady, int canaryReady, String publicTrack) {
        /** Ready pods behind the public Service. */
        int publicCapacity() {
            return switch (publicTrack) {
                case "stable" -> stableReady;
                case "canary" -> canaryReady;
                default -> stableReady + canaryReady;
            };
        }
    }

    @Override
    FaultInjectingDispatcher api() {
        return api;
    }

    @Override
    void beforeOperator() {
        client.resource(CanaryScaleDownOnMockApiServerTest.gateway()).create();
    }

    /** The release's {@code RouteNotAccepted} condition, if it holds. */
    static Optional<io.fabric8.kubernetes.api.model.Condition> routeNotAccepted(ModelReleaseStatus s) {
        return trueCondition(s, "RouteNotAccepted");
    }

    /** The release's {@code RouteNotApplied} condition, if it holds. */
    static Optional<io.fabric8.kubernetes.api.model.Condition> routeNotApplied(ModelReleaseStatus s) {
        return trueCondition(s, "RouteNotApplied");
    }

    private static Optional<io.fabric8.kubernetes.api.model.Condition> trueCondition(
            ModelReleaseStatus s, String type) {
        return s == null || s.getConditions() == null
                ? Optional.empty()
                : s.getConditions().stream()
                        .filter(c -> type.equals(c.getType()) && "True".equals(c.getStatus()))
                        .findFirst();
    }

    /** Backends of the route the Gateway last accepted (what it serves) that send requests to the canary. */
    List<String> servedToCanary() {
        return operator.gateway()
                .programmed(Releases.NS, NAME)
                .map(spec -> {
                    List<String> out = new ArrayList<>();
                    spec.getRules()
                            .forEach(rule -> rule.getBackendRefs().stream()
                                    .filter(b -> (NAME + "-canary").equals(b.getName())
                                            && (b.getWeight() == null || b.getWeight() > 0))
                                    .forEach(b -> out.add(b.getName() + "=" + b.getWeight())));
                    return out;
                })
                .orElse(List.of());
    }

    /** Messages of the release's Warning events of this reason. */
    /** Each occurrence's message: an Event with a repeat counted on it appears as often as it happened. */
    List<String> warnings(String reason) {
        return client.v1().events().inNamespace(Releases.NS).list().getItems().stream()
                .filter(e -> reason.equals(e.getReason()))
                .flatMap(e ->
                        java.util.Collections.nCopies(e.getCount() == null ? 1 : e.getCount(), e.getMessage()).stream())
                .toList();
    }

    /** A replicas-router release of 4 at public 25% (3 stable, 1 canary), then stable at 4 with 3 ready. */
    void atPublic25WithStableShortOfPods() {
        ModelRelease mr = Releases.release(
                NAME, "1.0.0", new TrafficSpec().withRouter(Router.REPLICAS).withScaleDownDelay("30s"));
        mr.getSpec().setServer(new ServerSpec().withReplicas(4));
        client.resource(mr).create();
        awaitStatus(s -> s.getPhase() == Phase.PROMOTED);
        edit(r -> {
            setVersion(r, "2.0.0");
            r.getSpec().getStages().get(2).setStepDuration("1h");
        });
        awaitStatus(s -> "public".equals(s.getStage()) && s.getCanaryWeight() == 25);
        await().atMost(Duration.ofSeconds(10))
                .until(() -> replicas(NAME + "-stable") == 3 && ready(NAME + "-stable") == 3);
        kubelet.close();
        kubelet = null;
    }

    // --- sampling

    void assertNoRouteToTheNewCanary(String version) {
        sampling = false;
        assertThat(samples)
                .as("samples with the canary at %s", version)
                .anySatisfy(s -> assertThat(s.canaryVersion()).isEqualTo(version));
        assertThat(samples)
                .as("routes to canary pods of %s, which passed no gate", version)
                .allSatisfy(s -> {
                    if (version.equals(s.canaryVersion())) {
                        assertThat(s.toCanary()).isEmpty();
                    }
                });
    }

    void startSampling(java.util.function.Supplier<List<String>> toCanary) {
        sample(() -> {
            String version = canaryVersion();
            List<String> routes = toCanary.get();
            return new Sample(version, routes, ready(NAME + "-stable"), ready(NAME + "-canary"), publicTrack());
        });
    }

    String publicTrack() {
        Service s = client.services().inNamespace(Releases.NS).withName(NAME).get();
        return s == null ? "none" : s.getSpec().getSelector().getOrDefault(Labels.TRACK, "both");
    }

    /** HTTPRoute backendRefs (every rule of the release's route) that send requests to the canary Service. */
    List<String> routeToCanary() {
        return routeBackends(NAME).stream()
                .filter(b -> b.startsWith(NAME + "-canary=") && !b.endsWith("=0"))
                .toList();
    }

    List<String> routeBackends(String route) {
        HTTPRoute r = client.resources(HTTPRoute.class)
                .inNamespace(Releases.NS)
                .withName(route)
                .get();
        if (r == null) {
            return List.of();
        }
        List<String> out = new ArrayList<>();
        r.getSpec()
                .getRules()
                .forEach(rule -> rule.getBackendRefs().forEach(b -> out.add(b.getName() + "=" + b.getWeight())));
        return out;
    }

    /** Services that select the canary track, or both tracks. */
    List<String> servicesOnCanary() {
        return selectors().stream().filter(s -> !s.endsWith("=stable")).toList();
    }

    List<String> selectors() {
        return List.of(NAME, NAME + "-internal", NAME + "-closed").stream()
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

    static void setVersion(ModelRelease mr, String version) {
        mr.getSpec().getModel().setVersion(version);
        mr.getSpec().getModel().setUri("file:///models/" + version);
    }

    String canaryVersion() {
        Deployment d = deployment(NAME + "-canary");
        return d == null
                ? null
                : d.getSpec().getTemplate().getMetadata().getLabels().get(Labels.VERSION);
    }

    /** {@code ready} of Deployment {@code name}'s pods ready, of as many as its spec asks. */
    void podsReady(String name, int ready) {
        Deployment d = deployment(name); // one read: the spec's replicas and the generation together
        markReady(d, d.getSpec().getReplicas(), ready);
    }
}
