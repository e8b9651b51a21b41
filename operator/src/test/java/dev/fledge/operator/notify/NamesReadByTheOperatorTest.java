package dev.fledge.operator.notify;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.fledge.api.spec.ConfigMapKeyRef;
import dev.fledge.api.spec.SecretKeyRef;
import dev.fledge.operator.gates.safety.ConfigMapSuites;
import dev.fledge.operator.mock.MockApiServers;
import io.fabric8.kubernetes.client.KubernetesClient;
import io.fabric8.kubernetes.client.server.mock.KubernetesMockServer;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

/**
 * A webhook's Secret and a suite's ConfigMap are read by the names a tenant wrote: a release stored before the schema
 * required Kubernetes names there never has one that is not put into a request's path.
 */
class NamesReadByTheOperatorTest {
    private KubernetesMockServer server;
    private KubernetesClient client;

    @BeforeEach
    void start() {
        server = new KubernetesMockServer(false);
        server.init();
        client = MockApiServers.clientWithoutRetries(server);
    }

    @AfterEach
    void stop() {
        client.close();
        server.destroy();
    }

    @Test
    void aWebhookSecretThatIsNotAKubernetesNameIsNotRead() {
        SecretKeyRef ref = new SecretKeyRef().withName("hooks?watch=true").withKey("slack");

        assertThatThrownBy(() -> new SecretWebhookUrls(client).read("ml", ref))
                .isInstanceOf(WebhookUrls.UnresolvedUrl.class)
                .hasMessage("\"hooks?watch=true\" is not a Secret name: not read");
        assertThat(server.getRequestCount()).as("requests to the API server").isZero();
    }

    @Test
    void aSuiteConfigMapThatIsNotAKubernetesNameIsNotRead() {
        ConfigMapKeyRef ref = new ConfigMapKeyRef().withName("../../kube-system/configmaps/x");

        assertThatThrownBy(() -> new ConfigMapSuites(client).load("ml", ref))
                .isInstanceOf(IllegalArgumentException.class)
                .hasMessage("\"../../kube-system/configmaps/x\" is not a ConfigMap name: the suite is not read");
        assertThat(server.getRequestCount()).as("requests to the API server").isZero();
    }
}
