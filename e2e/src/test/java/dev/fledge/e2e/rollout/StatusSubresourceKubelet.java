package dev.fledge.e2e.rollout;

import io.fabric8.kubernetes.api.model.apps.Deployment;
import io.fabric8.kubernetes.api.model.apps.DeploymentStatusBuilder;
import io.fabric8.kubernetes.client.KubernetesClient;
import io.fabric8.kubernetes.client.KubernetesClientException;
import java.util.Objects;
import java.util.concurrent.Executors;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.TimeUnit;

/**
 * kube-api-test runs no controllers: this stands in for the Deployment controller and the
 * kubelet in one namespace. Whenever a Deployment's spec changes, it reports every replica
 * updated and ready through the {@code status} subresource (a PUT with the read
 * resourceVersion; a conflict is retried on the next tick).
 */
public final class StatusSubresourceKubelet implements AutoCloseable {

  private final KubernetesClient client;
  private final String namespace;
  private final ScheduledExecutorService loop =
      Executors.newSingleThreadScheduledExecutor(r -> new Thread(r, "status-kubelet"));

  public StatusSubresourceKubelet(KubernetesClient client, String namespace) {
    this.client = client;
    this.namespace = namespace;
    loop.scheduleWithFixedDelay(this::tick, 100, 150, TimeUnit.MILLISECONDS);
  }

  private void tick() {
    try {
      for (Deployment d : client.apps().deployments().inNamespace(namespace).list().getItems()) {
        int replicas = d.getSpec().getReplicas() == null ? 1 : d.getSpec().getReplicas();
        Long generation = d.getMetadata().getGeneration();
        var s = d.getStatus();
        if (s != null
            && Objects.equals(s.getReadyReplicas(), replicas)
            && Objects.equals(s.getUpdatedReplicas(), replicas)
            && Objects.equals(s.getObservedGeneration(), generation)) {
          continue;
        }
        d.setStatus(
            new DeploymentStatusBuilder()
                .withReplicas(replicas)
                .withReadyReplicas(replicas)
                .withUpdatedReplicas(replicas)
                .withAvailableReplicas(replicas)
                .withObservedGeneration(generation)
                .build());
        client.apps().deployments().inNamespace(namespace).resource(d).updateStatus();
      }
    } catch (KubernetesClientException e) {
      // a write raced ours (409) or the namespace is going away: the next tick retries
    }
  }

  @Override
  public void close() {
    loop.shutdownNow();
  }
}
