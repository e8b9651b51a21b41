package dev.fledge.cli;

import io.fabric8.kubernetes.client.KubernetesClient;

/** Opens a client for a kube context ({@code null}: the current one). */
@FunctionalInterface
public interface Clients {
    KubernetesClient connect(String context);
}
