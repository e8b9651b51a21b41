package dev.fledge.operator.mock;

import io.fabric8.kubernetes.client.ConfigBuilder;
import io.fabric8.kubernetes.client.KubernetesClient;
import io.fabric8.kubernetes.client.KubernetesClientBuilder;
import io.fabric8.kubernetes.client.server.mock.KubernetesMockServer;

/** Clients of a Fabric8 mock API server for tests that script its answers. */
public final class MockApiServers {
    private MockApiServers() {}

    /**
     * A client of {@code server} without Fabric8's retries, so that a failed answer reaches the code under test at once
     * and the server's request count is what that code sent.
     */
    public static KubernetesClient clientWithoutRetries(KubernetesMockServer server) {
        return new KubernetesClientBuilder()
                .withConfig(new ConfigBuilder(server.createClient().getConfiguration())
                        .withRequestRetryBackoffLimit(0)
                        .build())
                .build();
    }
}
