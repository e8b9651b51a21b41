package dev.fledge.operator.http;

import static org.assertj.core.api.Assertions.assertThat;

import io.fabric8.kubernetes.api.model.ServiceBuilder;
import io.fabric8.kubernetes.client.KubernetesClient;
import io.fabric8.kubernetes.client.server.mock.KubernetesCrudDispatcher;
import io.fabric8.kubernetes.client.server.mock.KubernetesMockServer;
import io.fabric8.mockwebserver.Context;
import io.fabric8.mockwebserver.MockWebServer;
import java.net.InetAddress;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

/**
 * Security review 7, MED 5: the operator reads the Service a judge or webhook URL names from the API server, so an
 * ExternalName Service a tenant creates in its own namespace cannot send the operator's POST to another host.
 */
class ServiceLookupTest {
    KubernetesMockServer server;
    KubernetesClient client;
    OutboundPolicy policy;

    @BeforeEach
    void start() {
        server = new KubernetesMockServer(
                new Context(), new MockWebServer(), new HashMap<>(), new KubernetesCrudDispatcher(), false);
        server.init();
        client = server.createClient();
        // the cluster DNS: both names answer with an in-cluster address (evil's is Prometheus's, via its CNAME)
        Map<String, String> dns = Map.of("guard.team-a.svc", "10.96.0.10", "evil.team-a.svc", "10.96.9.90");
        policy = new OutboundPolicy(
                List.of(),
                Optional.of("fledge-system"),
                host -> new InetAddress[] {InetAddress.getByName(dns.get(host))},
                ServiceLookup.of(client));
    }

    @AfterEach
    void stop() {
        client.close();
        server.destroy();
    }

    @Test
    void anExternalNameServiceInTheReleasesNamespaceIsNotCalled() {
        client.services()
                .inNamespace("team-a")
                .resource(new ServiceBuilder()
                        .withNewMetadata()
                        .withName("evil")
                        .endMetadata()
                        .withNewSpec()
                        .withType("ExternalName")
                        .withExternalName("prometheus.monitoring.svc.cluster.local")
                        .endSpec()
                        .build())
                .create();

        assertThat(policy.check("http://evil.team-a.svc:9090/-/quit", "team-a"))
                .hasValueSatisfying(d -> assertThat(d).contains("Service team-a/evil is of type ExternalName"));
    }

    @Test
    void aServiceThatSelectsTheTeamsPodsIsCalled() {
        client.services()
                .inNamespace("team-a")
                .resource(new ServiceBuilder()
                        .withNewMetadata()
                        .withName("guard")
                        .endMetadata()
                        .withNewSpec()
                        .withSelector(Map.of("app", "guard"))
                        .withClusterIP("10.96.0.10")
                        .withClusterIPs("10.96.0.10")
                        .endSpec()
                        .build())
                .create();

        assertThat(policy.check("http://guard.team-a.svc:8080/v1/moderations", "team-a"))
                .isEmpty();
    }
}
