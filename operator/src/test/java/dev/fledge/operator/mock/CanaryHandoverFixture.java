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
import dev.fledge.operator.gates.ConfiguredGates;
import dev.fledge.testsupport.DeploymentReadiness;
import dev.fledge.testsupport.FaultInjectingDispatcher;
import dev.fledge.testsupport.MockCluster;
import io.fabric8.kubernetes.api.model.NamespaceBuilder;
import io.fabric8.kubernetes.api.model.Service;
import io.fabric8.kubernetes.api.model.apps.Deployment;
import io.fabric8.kubernetes.api.model.apps.DeploymentStatusBuilder;
import io.fabric8.kubernetes.api.model.gatewayapi.v1.HTTPRoute;
import io.fabric8.kubernetes.client.KubernetesClient;
import io.fabric8.kubernetes.client.KubernetesClientException;
import java.time.Duration;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.function.Consumer;
import java.util.function.Predicate;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;

/**
 * The cluster, operator (on a clock the test moves), Gateway and helpers of the canary handover tests
 * ({@link CanaryHandoverOnMockApiServerTest}, {@link CanaryHandoverThroughRoutesOnMockApiServerTest}). Two classes, so
 * that two test JVMs share them.
 */
abstract class CanaryHandoverFixture {
    static final String NAME = "assistant";

    final FaultInjectingDispatcher api = new FaultInjectingDispatcher();
    final CanaryScaleDownOnMockApiServerTest.MovableClock clock = new CanaryScaleDownOnMockApiServerTest.MovableClock();
    final List<Sample> samples = new CopyOnWriteArrayList<>();
    MockCluster cluster;
    KubernetesClient client;
    DeploymentReadiness kubelet;
    OperatorUnderTest operator;
    Thread sampler;
    volatile boolean sampling = true;

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

    @BeforeEach
    void start() throws Exception {
        cluster = new MockCluster(api);
        client = cluster.client();
        client.namespaces()
                .resource(new NamespaceBuilder()
                        .withNewMetadata()
                        .withName(Releases.NS)
                        .endMetadata()
                        .build())
                .create();
        client.resource(CanaryScaleDownOnMockApiServerTest.gateway()).create();
        kubelet = new DeploymentReadiness(client);
        operator = new OperatorUnderTest(client, new ConfiguredGates(Map.of()), clock);
    }

    @AfterEach
    void stop() throws InterruptedException {
        sampling = false;
        if (sampler != null) {
            sampler.join(5_000);
        }
        operator.close();
        if (kubelet != null) {
            kubelet.close();
        }
        cluster.close();
    }

    /** The release's {@code RouteNotAccepted} condition, if it holds. */
    static Optional<io.fabric8.kubernetes.api.model.Condition> routeNotAccepted(ModelReleaseStatus s) {
        return s == null || s.getConditions() == null
                ? Optional.empty()
                : s.getConditions().stream()
                        .filter(c -> "RouteNotAccepted".equals(c.getType()) && "True".equals(c.getStatus()))
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
    List<String> warnings(String reason) {
        return client.v1().events().inNamespace(Releases.NS).list().getItems().stream()
                .filter(e -> reason.equals(e.getReason()))
                .map(e -> e.getMessage())
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
        sampler = new Thread(() -> {
            while (sampling) {
                try {
                    String version = canaryVersion();
                    List<String> routes = toCanary.get();
                    samples.add(new Sample(
                            version, routes, ready(NAME + "-stable"), ready(NAME + "-canary"), publicTrack()));
                } catch (KubernetesClientException | NullPointerException e) {
                    // an object not there yet
                }
                pause(Duration.ofMillis(20));
            }
        });
        sampler.setDaemon(true);
        sampler.start();
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

    Deployment deployment(String name) {
        return client.apps()
                .deployments()
                .inNamespace(Releases.NS)
                .withName(name)
                .get();
    }

    int replicas(String name) {
        Deployment d = deployment(name);
        return d == null ? 0 : d.getSpec().getReplicas();
    }

    int ready(String name) {
        return Optional.ofNullable(deployment(name))
                .map(Deployment::getStatus)
                .map(s -> s.getReadyReplicas())
                .orElse(0);
    }

    void markReady(String name, int ready) {
        Deployment d = deployment(name);
        int replicas = d.getSpec().getReplicas();
        d.setStatus(new DeploymentStatusBuilder()
                .withReplicas(replicas)
                .withReadyReplicas(ready)
                .withUpdatedReplicas(replicas)
                .withAvailableReplicas(ready)
                .withObservedGeneration(d.getMetadata().getGeneration())
                .build());
        client.apps().deployments().inNamespace(Releases.NS).resource(d).updateStatus();
    }

    ModelReleaseStatus status() {
        return client.resources(ModelRelease.class)
                .inNamespace(Releases.NS)
                .withName(NAME)
                .get()
                .getStatus();
    }

    ModelReleaseStatus awaitStatus(Predicate<ModelReleaseStatus> p) {
        return Releases.awaitStatus(client, NAME, Duration.ofSeconds(30), p);
    }

    /** Edits the release, again on a conflict with the operator's status write. */
    void edit(Consumer<ModelRelease> change) {
        await().atMost(Duration.ofSeconds(10))
                .ignoreException(KubernetesClientException.class)
                .until(() -> {
                    client.resources(ModelRelease.class)
                            .inNamespace(Releases.NS)
                            .withName(NAME)
                            .edit(r -> {
                                if (r.getMetadata().getAnnotations() == null) {
                                    r.getMetadata().setAnnotations(new HashMap<>());
                                }
                                change.accept(r);
                                return r;
                            });
                    return true;
                });
    }

    /** An event for the release, so that the operator looks again now (its own wake-up runs on real time). */
    void poke() {
        edit(r -> r.getMetadata()
                .getAnnotations()
                .put("test.fledge.dev/poke", clock.instant().toString()));
    }

    static void pause(Duration d) {
        try {
            Thread.sleep(d.toMillis());
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        }
    }
}
