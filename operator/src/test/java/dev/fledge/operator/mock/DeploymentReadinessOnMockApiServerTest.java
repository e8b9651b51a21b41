package dev.fledge.operator.mock;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import dev.fledge.testsupport.DeploymentReadiness;
import dev.fledge.testsupport.FaultInjectingDispatcher;
import dev.fledge.testsupport.MockCluster;
import io.fabric8.kubernetes.api.model.apps.Deployment;
import io.fabric8.kubernetes.api.model.apps.DeploymentBuilder;
import io.fabric8.kubernetes.client.KubernetesClient;
import java.time.Duration;
import org.junit.jupiter.api.Test;

/**
 * The kubelet stand-in of the mock tests ({@link DeploymentReadiness}, test harness): a status write that fails with
 * something other than a conflict is tried again. It used to mark the informer's own cached object ready before the
 * write, so a failed write looked done for good and the Deployment stayed unready, and with it any release waiting
 * for its pods (one way a mock rollout test times out under load).
 */
class DeploymentReadinessOnMockApiServerTest {

    @Test
    void aStatusWriteThatFailsIsTriedAgain() throws Exception {
        FaultInjectingDispatcher api = new FaultInjectingDispatcher();
        try (MockCluster cluster = new MockCluster(api)) {
            KubernetesClient client = cluster.client();
            Releases.createNamespace(client);
            // not a conflict, and not retried by the client: an admission webhook's refusal, say
            api.failNext(1, 403, r -> "PUT".equals(r.method()) && r.path().endsWith("/deployments/server/status"));
            client.apps()
                    .deployments()
                    .inNamespace(Releases.NS)
                    .resource(new DeploymentBuilder()
                            .withNewMetadata()
                            .withName("server")
                            .endMetadata()
                            .withNewSpec()
                            .withReplicas(2)
                            .endSpec()
                            .build())
                    .create();
            try (DeploymentReadiness kubelet = new DeploymentReadiness(client, Releases.NS)) {
                await().atMost(Duration.ofSeconds(10)).until(() -> api.failuresServed() == 1);
                await().atMost(Duration.ofSeconds(10)).untilAsserted(() -> {
                    Deployment d = client.apps()
                            .deployments()
                            .inNamespace(Releases.NS)
                            .withName("server")
                            .get();
                    assertThat(d.getStatus()).isNotNull();
                    assertThat(d.getStatus().getReadyReplicas()).isEqualTo(2);
                });
            }
        }
    }
}
