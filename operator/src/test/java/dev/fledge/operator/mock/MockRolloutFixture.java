package dev.fledge.operator.mock;

import dev.fledge.api.ModelRelease;
import dev.fledge.api.status.ModelReleaseStatus;
import dev.fledge.operator.gates.ConfiguredGates;
import dev.fledge.testsupport.DeploymentReadiness;
import dev.fledge.testsupport.FaultInjectingDispatcher;
import dev.fledge.testsupport.MockCluster;
import io.fabric8.kubernetes.api.model.apps.Deployment;
import io.fabric8.kubernetes.api.model.apps.DeploymentStatusBuilder;
import io.fabric8.kubernetes.client.KubernetesClient;
import io.fabric8.kubernetes.client.KubernetesClientException;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.function.Consumer;
import java.util.function.Predicate;
import java.util.function.Supplier;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;

/**
 * One release {@value #NAME} on the mock API server: the operator under test on a clock the test moves ({@link
 * MovableClock}), a kubelet that makes Deployments ready ({@link DeploymentReadiness}), and what rollout tests read
 * and write: the Deployments' replicas and ready pods, the release's status, edits and pokes. A test may sample the
 * cluster all along ({@link #sample}); the sampler stops after each test.
 *
 * @param <S> what one look at the cluster records
 */
abstract class MockRolloutFixture<S> {
    static final String NAME = "assistant";

    final MovableClock clock = new MovableClock();
    final List<S> samples = new CopyOnWriteArrayList<>();
    MockCluster cluster;
    KubernetesClient client;
    DeploymentReadiness kubelet;
    OperatorUnderTest operator;
    Thread sampler;
    volatile boolean sampling = true;

    /** The mock API server's dispatcher (one that fails requests when the test says: {@code failNext}). */
    abstract FaultInjectingDispatcher api();

    /** What the test class needs in the namespace before the operator starts (a Gateway, say); nothing by default. */
    void beforeOperator() {}

    /** How long {@link #awaitStatus} waits. */
    Duration statusTimeout() {
        return Duration.ofSeconds(30);
    }

    @BeforeEach
    void start() throws Exception {
        cluster = new MockCluster(api());
        client = cluster.client();
        Releases.createNamespace(client);
        beforeOperator();
        kubelet = new DeploymentReadiness(client);
        operator = new OperatorUnderTest(client, new ConfiguredGates(Map.of()), clock);
    }

    @AfterEach
    void stop() throws InterruptedException {
        sampling = false;
        if (sampler != null) {
            sampler.join(5_000);
        }
        // each closed even when the one before throws or was never made (a start that failed half-way)
        try {
            if (operator != null) {
                operator.close();
            }
        } finally {
            try {
                if (kubelet != null) {
                    kubelet.close();
                }
            } finally {
                if (cluster != null) {
                    cluster.close();
                }
            }
        }
    }

    /** Records {@code look} every 20 ms until the test ends; a look at an object not there yet is skipped. */
    void sample(Supplier<S> look) {
        sampler = new Thread(() -> {
            while (sampling) {
                try {
                    samples.add(look.get());
                } catch (KubernetesClientException | NullPointerException e) {
                    // an object not there yet
                }
                pause(Duration.ofMillis(20));
            }
        });
        sampler.setDaemon(true);
        sampler.start();
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

    /** Deployment {@code name} with all its {@code replicas} ready and up to date. */
    void markReady(String name, int replicas) {
        markReady(name, replicas, replicas);
    }

    /** Deployment {@code name} at {@code replicas}, {@code ready} of them ready, as a kubelet would report it. */
    void markReady(String name, int replicas, int ready) {
        markReady(deployment(name), replicas, ready);
    }

    /** {@code d} at {@code replicas}, {@code ready} of them ready, of the generation read with it. */
    void markReady(Deployment d, int replicas, int ready) {
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
        return Releases.awaitStatus(client, NAME, statusTimeout(), p);
    }

    /** Edits the release, again on a conflict with the operator's status write. */
    void edit(Consumer<ModelRelease> change) {
        Releases.edit(client, NAME, change);
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
