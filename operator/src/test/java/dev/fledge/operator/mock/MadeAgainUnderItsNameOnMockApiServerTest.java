package dev.fledge.operator.mock;

import static org.assertj.core.api.Assertions.assertThat;

import dev.fledge.api.ModelRelease;
import dev.fledge.api.status.Phase;
import dev.fledge.core.rollout.Plan;
import dev.fledge.operator.gates.ConfiguredGates;
import dev.fledge.operator.gates.Gate;
import dev.fledge.operator.gates.GateProvider;
import dev.fledge.testsupport.DeploymentReadiness;
import dev.fledge.testsupport.MockCluster;
import io.fabric8.kubernetes.client.KubernetesClient;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

/**
 * A release deleted and made again at once under its name ({@code kubectl replace --force}, Argo CD's
 * {@code Replace=true}). JOSDK runs one pass for the deletion and drops whatever event of the name comes during it, and
 * the reschedule that pass asks for: the release made again must be reconciled all the same. The test holds a pass
 * that forgets the deleted release (the deletion's pass, or one that found it gone at its end, after which JOSDK runs
 * the deletion's pass with the new release) while the new one is made; both stalled the new release before
 * {@code Deletions} woke it.
 */
class MadeAgainUnderItsNameOnMockApiServerTest {
    private static final String NAME = "assistant";

    MockCluster cluster;
    KubernetesClient client;
    DeploymentReadiness kubelet;
    OperatorUnderTest operator;
    final SlowDeletePass gates = new SlowDeletePass();

    @BeforeEach
    void start() throws Exception {
        cluster = new MockCluster();
        client = cluster.client();
        Releases.createNamespace(client);
        kubelet = new DeploymentReadiness(client);
        operator = new OperatorUnderTest(client, gates);
    }

    @AfterEach
    void stop() {
        gates.done.countDown();
        if (operator != null) {
            operator.close();
        }
        kubelet.close();
        cluster.close();
    }

    @Test
    void aReleaseMadeAgainWhileTheDeletedOnesPassRunsIsReconciled() throws Exception {
        ModelRelease old = Releases.replicas(NAME, "1.0.0");
        old.getSpec().getModel().setVersion(null); // Invalid: no Deployments, so nothing else wakes the name later
        client.resource(old).create();
        Releases.awaitStatus(client, NAME, Duration.ofSeconds(20), s -> s.getPhase() == Phase.INVALID);

        client.resources(ModelRelease.class)
                .inNamespace(Releases.NS)
                .withName(NAME)
                .delete();
        assertThat(gates.deletePassStarted.await(20, TimeUnit.SECONDS))
                .as("the deletion's pass")
                .isTrue();
        client.resource(Releases.replicas(NAME, "1.0.0")).create();
        // its ADDED event reaches the operator's informer while that pass runs (the mock API server sends it in
        // milliseconds; were it later than that pass, the old code would pass this test too)
        Thread.sleep(2_000);
        gates.done.countDown();

        Releases.awaitStatus(
                client,
                NAME,
                Duration.ofSeconds(60),
                s -> s.getPhase() == Phase.PROMOTED && "1.0.0".equals(s.getStableVersion()));
    }

    /**
     * The configured gates, whose {@code forget} holds the first reconcile thread that calls it (the deletion's pass)
     * until the test lets it go. Not the informer's thread: it must deliver the new release's event meanwhile.
     */
    static final class SlowDeletePass implements GateProvider {
        final CountDownLatch deletePassStarted = new CountDownLatch(1);
        final CountDownLatch done = new CountDownLatch(1);
        private final ConfiguredGates delegate = new ConfiguredGates(Map.of());

        @Override
        public List<Gate> gates(ModelRelease release, Plan plan) {
            return delegate.gates(release, plan);
        }

        @Override
        public void forget(String namespace, String name) {
            delegate.forget(namespace, name);
            if (Thread.currentThread().getName().startsWith("ReconcilerExecutor")) {
                deletePassStarted.countDown();
                try {
                    done.await(30, TimeUnit.SECONDS);
                } catch (InterruptedException e) {
                    Thread.currentThread().interrupt();
                }
            }
        }
    }
}
