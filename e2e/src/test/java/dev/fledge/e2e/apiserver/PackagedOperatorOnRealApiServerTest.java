package dev.fledge.e2e.apiserver;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import dev.fledge.api.ModelRelease;
import dev.fledge.api.status.Phase;
import dev.fledge.e2e.local.FreePort;
import dev.fledge.e2e.local.ManagedProcess;
import dev.fledge.e2e.rollout.TestReleases;
import dev.fledge.testsupport.DeploymentReadiness;
import io.fabric8.kubernetes.api.model.VolumeBuilder;
import io.fabric8.kubernetes.api.model.VolumeMountBuilder;
import io.fabric8.kubernetes.client.KubernetesClient;
import io.fabric8.kubernetes.client.KubernetesClientException;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Tag;
import org.junit.jupiter.api.Test;

/**
 * The operator as shipped (the packaged jar: quarkus-operator-sdk builds its controller's configuration, not plain
 * JOSDK as the in-process tests) sees what happens to a release after its deletion, on the real API server.
 */
@Tag("apiserver")
class PackagedOperatorOnRealApiServerTest {
    static final String NS = "packaged";

    final KubernetesClient client = RealApiServer.shared().client();
    DeploymentReadiness kubelet;
    ManagedProcess operator;
    Path work;
    int port;

    @BeforeEach
    void start() throws Exception {
        ClusterResources cluster = new ClusterResources(client);
        cluster.installCrds(List.of(RepoFiles.modelReleaseCrd()));
        cluster.installCrds(RepoFiles.gatewayApiCrds());
        cluster.ensureNamespace(NS);
        kubelet = new DeploymentReadiness(client, NS);
        work = Files.createTempDirectory("fledge-packaged-");
        Path kubeconfig = work.resolve("kubeconfig");
        Files.writeString(kubeconfig, RealApiServer.shared().kubeConfigYaml());
        port = FreePort.get();
        operator = PackagedOperator.start(work, kubeconfig, NS, port, "operator", Map.of());
    }

    @AfterEach
    void stop() {
        try {
            for (ModelRelease r :
                    client.resources(ModelRelease.class).inNamespace(NS).list().getItems()) {
                try {
                    client.resource(r).edit(mr -> {
                        mr.getMetadata().setFinalizers(List.of());
                        return mr;
                    });
                } catch (KubernetesClientException e) { // gone meanwhile
                }
            }
            client.resources(ModelRelease.class).inNamespace(NS).delete();
        } finally {
            if (operator != null) {
                operator.close();
            }
            kubelet.close();
            // no garbage collector runs beside this API server: what the releases made is deleted here
            client.apps().deployments().inNamespace(NS).delete();
            client.services().inNamespace(NS).delete();
        }
    }

    @Test
    void aDeletedReleasesSeriesLeaveTheOperatorsMetrics() {
        ModelRelease mr =
                client.resource(TestReleases.replicas(NS, "gone", "1.0.0")).create();
        awaitPromoted("gone");
        assertThat(metrics()).contains("release=\"gone\"");

        client.resource(mr).delete();

        await().atMost(Duration.ofSeconds(30))
                .untilAsserted(() -> assertThat(metrics()).doesNotContain("release=\"gone\""));
    }

    /**
     * Security review: an earlier operator may have given a release's pods a writable hostPath; the operator makes the
     * mount read-only also while another finalizer holds the release after its deletion (its pods run until it goes).
     * quarkus-operator-sdk alone registers the controller so that JOSDK never passes such a release to it.
     */
    @Test
    void aWritableHostPathOfAReleaseThatAnotherFinalizerHoldsAfterItsDeletionIsMadeReadOnly() throws Exception {
        ModelRelease mr = TestReleases.replicas(NS, "held", "1.0.0");
        mr.getMetadata().setFinalizers(List.of("example.com/hold"));
        client.resource(mr).create();
        awaitPromoted("held");
        client.resources(ModelRelease.class).inNamespace(NS).withName("held").delete();
        await().atMost(Duration.ofSeconds(10))
                .until(() -> client.resources(ModelRelease.class)
                        .inNamespace(NS)
                        .withName("held")
                        .get()
                        .isMarkedForDeletion());

        // as an operator that allowed it built it: a node directory mounted writable in stable's pods
        client.apps().deployments().inNamespace(NS).withName("held-stable").edit(d -> {
            var pod = d.getSpec().getTemplate().getSpec();
            pod.getVolumes()
                    .add(new VolumeBuilder()
                            .withName("node-dir")
                            .withNewHostPath()
                            .withPath("/var/lib/fledge-models")
                            .endHostPath()
                            .build());
            pod.getContainers()
                    .get(0)
                    .getVolumeMounts()
                    .add(new VolumeMountBuilder()
                            .withName("node-dir")
                            .withMountPath("/models")
                            .build());
            return d;
        });

        await("the mount made read-only")
                .atMost(Duration.ofSeconds(30))
                .until(() -> client
                        .apps()
                        .deployments()
                        .inNamespace(NS)
                        .withName("held-stable")
                        .get()
                        .getSpec()
                        .getTemplate()
                        .getSpec()
                        .getContainers()
                        .get(0)
                        .getVolumeMounts()
                        .stream()
                        .filter(m -> m.getName().equals("node-dir"))
                        .allMatch(m -> Boolean.TRUE.equals(m.getReadOnly())));
        assertThat(operatorLog()).contains("triggerReconcilerOnAllEvents=true");
    }

    private void awaitPromoted(String name) {
        await().atMost(Duration.ofSeconds(90)).until(() -> {
            ModelRelease r = client.resources(ModelRelease.class)
                    .inNamespace(NS)
                    .withName(name)
                    .get();
            return r != null && r.getStatus() != null && r.getStatus().getPhase() == Phase.PROMOTED;
        });
    }

    private String operatorLog() throws java.io.IOException {
        return Files.readString(work.resolve("operator.log"));
    }

    private String metrics() {
        try {
            return HttpClient.newHttpClient()
                    .send(
                            HttpRequest.newBuilder(URI.create("http://127.0.0.1:" + port + "/q/metrics"))
                                    .timeout(Duration.ofSeconds(10))
                                    .build(),
                            HttpResponse.BodyHandlers.ofString())
                    .body();
        } catch (Exception e) {
            throw new IllegalStateException(e);
        }
    }
}
