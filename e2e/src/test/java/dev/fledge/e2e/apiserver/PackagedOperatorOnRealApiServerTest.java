package dev.fledge.e2e.apiserver;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import dev.fledge.api.ModelRelease;
import dev.fledge.api.status.Phase;
import dev.fledge.e2e.local.FreePort;
import dev.fledge.e2e.local.ManagedProcess;
import dev.fledge.e2e.rollout.TestReleases;
import dev.fledge.testsupport.DeploymentReadiness;
import io.fabric8.kubernetes.client.KubernetesClient;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
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
    private static final Pattern PASSES =
            Pattern.compile("(?m)^fledge_reconcile_seconds_count\\{part=\"total\"} (\\S+)$");

    final KubernetesClient client = RealApiServer.shared().client();
    DeploymentReadiness kubelet;
    ManagedProcess operator;
    int port;

    @BeforeEach
    void start() throws Exception {
        ClusterResources cluster = new ClusterResources(client);
        cluster.installCrds(List.of(RepoFiles.modelReleaseCrd()));
        cluster.installCrds(RepoFiles.gatewayApiCrds());
        cluster.ensureNamespace(NS);
        kubelet = new DeploymentReadiness(client, NS);
        Path work = Files.createTempDirectory("fledge-packaged-");
        Path kubeconfig = work.resolve("kubeconfig");
        Files.writeString(kubeconfig, RealApiServer.shared().kubeConfigYaml());
        port = FreePort.get();
        operator = ManagedProcess.start(
                "operator",
                List.of(
                        "java",
                        "-XX:TieredStopAtLevel=1",
                        "-jar",
                        RepoFiles.repo()
                                .resolve("operator/target/quarkus-app/quarkus-run.jar")
                                .toString()),
                Map.of(
                        "KUBECONFIG",
                        kubeconfig.toString(),
                        "QUARKUS_HTTP_PORT",
                        Integer.toString(port),
                        "QUARKUS_OPERATOR_SDK_CONTROLLERS_MODELRELEASE_NAMESPACES",
                        NS,
                        "FLEDGE_LEADER_ELECTION_ENABLED",
                        "false"),
                work);
        operator.awaitHttpOk("http://127.0.0.1:" + port + "/q/health/ready", Duration.ofSeconds(90));
    }

    @AfterEach
    void stop() {
        for (ModelRelease r :
                client.resources(ModelRelease.class).inNamespace(NS).list().getItems()) {
            client.resource(r).edit(mr -> {
                mr.getMetadata().setFinalizers(List.of());
                return mr;
            });
        }
        client.resources(ModelRelease.class).inNamespace(NS).delete();
        if (operator != null) {
            operator.close();
        }
        kubelet.close();
        // no garbage collector runs beside this API server: what the releases made is deleted here
        client.apps().deployments().inNamespace(NS).delete();
        client.services().inNamespace(NS).delete();
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
     * Security review: an earlier operator may have given the pods of a release a writable hostPath; the release must
     * still be reconciled (the mount made read-only) while another finalizer holds it after its deletion.
     */
    @Test
    void aReleaseAnotherFinalizerHoldsAfterItsDeletionIsStillReconciled() throws Exception {
        ModelRelease mr = TestReleases.replicas(NS, "held", "1.0.0");
        mr.getMetadata().setFinalizers(List.of("example.com/hold"));
        client.resource(mr).create();
        awaitPromoted("held");
        double before = settledPasses();

        client.resources(ModelRelease.class).inNamespace(NS).withName("held").delete();
        await().atMost(Duration.ofSeconds(10))
                .until(() -> client.resources(ModelRelease.class)
                        .inNamespace(NS)
                        .withName("held")
                        .get()
                        .isMarkedForDeletion());
        client.resources(ModelRelease.class).inNamespace(NS).withName("held").edit(r -> {
            r.getMetadata().setLabels(Map.of("example.com/touched", "1")); // one more event of the release
            return r;
        });

        await("a pass of the held release").atMost(Duration.ofSeconds(30)).until(() -> passes() > before);
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

    /** The operator's passes so far, once none came for 3 s (the promotion's own follow-ups done). */
    private double settledPasses() throws InterruptedException {
        double last = -1;
        double now = passes();
        while (now != last) {
            Thread.sleep(3000);
            last = now;
            now = passes();
        }
        return now;
    }

    private double passes() {
        Matcher m = PASSES.matcher(metrics());
        return m.find() ? Double.parseDouble(m.group(1)) : 0;
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
