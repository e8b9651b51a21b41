package dev.fledge.operator.mock;

import io.fabric8.kubernetes.api.model.apps.Deployment;
import io.fabric8.kubernetes.api.model.apps.DeploymentStatusBuilder;
import io.fabric8.kubernetes.client.KubernetesClient;

import java.util.Objects;
import java.util.concurrent.Executors;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.TimeUnit;

/**
 * The mock API server runs no controllers, so this stands in for the Deployment controller and the kubelet: every
 * Deployment's status reports its replicas updated and ready shortly after its spec changes.
 */
public final class FakeKubelet implements AutoCloseable {
    private final KubernetesClient client;
    private final ScheduledExecutorService loop = Executors.newSingleThreadScheduledExecutor();

    public FakeKubelet(KubernetesClient client) {
        this.client = client;
        loop.scheduleWithFixedDelay(this::tick, 100, 100, TimeUnit.MILLISECONDS);
    }

    private void tick() {
        try {
            for (Deployment d : client.apps().deployments().inAnyNamespace().list().getItems()) {
                int replicas = d.getSpec().getReplicas() == null ? 1 : d.getSpec().getReplicas();
                Long generation = d.getMetadata().getGeneration();
                var s = d.getStatus();
                if (s != null && Objects.equals(s.getReadyReplicas(), replicas) && Objects.equals(s.getUpdatedReplicas(), replicas)
                        && Objects.equals(s.getObservedGeneration(), generation)) {
                    continue;
                }
                d.setStatus(new DeploymentStatusBuilder().withReplicas(replicas).withReadyReplicas(replicas)
                        .withUpdatedReplicas(replicas).withAvailableReplicas(replicas).withObservedGeneration(generation).build());
                client.apps().deployments().resource(d).updateStatus();
            }
        } catch (RuntimeException e) {
            // a conflicting write: the next tick retries
        }
    }

    @Override
    public void close() {
        loop.shutdownNow();
    }
}
