package dev.fledge.operator.config;

import io.fabric8.kubernetes.client.Config;
import io.fabric8.kubernetes.client.ConfigBuilder;
import io.fabric8.kubernetes.client.KubernetesClient;
import io.fabric8.kubernetes.client.KubernetesClientBuilder;

/**
 * How often the operator's Kubernetes client retries a request by itself. Fabric8 retries a 5xx or an I/O failure 10
 * times by default, backing off from 100 ms to 3.2 s: about 19 s in which one write blocks the reconcile. A rollback
 * whose status write gets a 500 or 503 (an admission webhook that fails, an overloaded API server) then sends its users
 * to stable that much later. The operator retries once, after 100 ms, and leaves the rest to the reconcile retry
 * (JOSDK's, unlimited), which first routes an unstored ending decision and then tries again.
 */
public final class ClientRetries {
    /** Retries of one request after a 5xx or an I/O error (not counting the first try). */
    public static final int BACKOFF_LIMIT = 1;
    /** The wait before that retry, in milliseconds. */
    public static final int BACKOFF_INTERVAL_MS = 100;

    private ClientRetries() {}

    /** Sets the operator's retry limit and interval on {@code config} and returns it. */
    public static Config apply(Config config) {
        config.setRequestRetryBackoffLimit(BACKOFF_LIMIT);
        config.setRequestRetryBackoffInterval(BACKOFF_INTERVAL_MS);
        return config;
    }

    /**
     * A new client for the operator with {@code client}'s configuration, the operator's retries and its Jackson mapper
     * ({@link OperatorObjectMapper}), as the Quarkus-built one; close it.
     */
    public static KubernetesClient derive(KubernetesClient client) {
        Config config = new ConfigBuilder(client.getConfiguration()).build();
        return new KubernetesClientBuilder()
                .withConfig(apply(config))
                .withKubernetesSerialization(OperatorObjectMapper.serialization())
                .build();
    }
}
