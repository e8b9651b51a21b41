package dev.fledge.cli;

import io.fabric8.kubernetes.client.Config;
import io.fabric8.kubernetes.client.KubernetesClient;
import io.fabric8.kubernetes.client.KubernetesClientBuilder;

/** Fabric8's default configuration: KUBECONFIG, then ~/.kube/config, then the in-cluster service account. */
public final class KubeConfigClients implements Clients {
    @Override
    public KubernetesClient connect(String context) {
        Config config = Config.autoConfigure(context);
        if (context != null
                && (config.getCurrentContext() == null
                        || !context.equals(config.getCurrentContext().getName()))) {
            throw new CliError("context \"" + context + "\" not found in the kubeconfig");
        }
        // one attempt: a CLI should say at once that the API server is unreachable
        config.setRequestRetryBackoffLimit(0);
        return new KubernetesClientBuilder().withConfig(config).build();
    }
}
