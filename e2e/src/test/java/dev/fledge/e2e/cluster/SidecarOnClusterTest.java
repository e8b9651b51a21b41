package dev.fledge.e2e.cluster;

import static org.assertj.core.api.Assertions.assertThat;

import dev.fledge.api.ModelRelease;
import dev.fledge.api.status.Phase;
import dev.fledge.e2e.rollout.RolloutScenario;
import io.fabric8.kubernetes.api.model.Container;
import io.fabric8.kubernetes.api.model.Pod;
import io.fabric8.kubernetes.client.Config;
import io.fabric8.kubernetes.client.KubernetesClient;
import io.fabric8.kubernetes.client.KubernetesClientBuilder;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Tag;
import org.junit.jupiter.api.Test;

/**
 * The cluster tier with another server's container behind the Fledge sidecar (issue 17, part 1): a release whose
 * {@code spec.server.upstream} names a model container of its own, here the model-server image run in its DJL mode on
 * port 8000 with a model of the release's claim, as an "any OpenAI-compatible server" would be; the operator adds the
 * sidecar (the same image in proxy mode) and routes the release's Services to it. Its {@code error-rate} gate reads
 * the sidecar's {@code fledge_model_*} series from the tier's Prometheus, so each stage passes only on what the
 * sidecar counted of the users' requests. Users call the three Services from before the first release; from each
 * audience's first 200 on, no request may fail through 1.0.0 and the rollout to 2.0.0.
 */
@Tag("cluster")
class SidecarOnClusterTest {
    static final String NS = "sidecar";
    static final String NAME = "chat";
    static final Duration STEP_TIMEOUT = Duration.ofMinutes(8);

    @Test
    void anUpstreamServerBehindTheSidecarIsRolledOutWithItsGateOnTheSidecarsSeriesAndNoFailedRequest()
            throws Exception {
        String kubeconfig = ClusterChart.install();
        ClusterPrometheus.shared(kubeconfig);
        try (KubernetesClient client = new KubernetesClientBuilder()
                .withConfig(Config.fromKubeconfig(kubeconfig))
                .build()) {
            ClusterChart.inNamespace(client, NS, () -> rollsOut(client));
        }
    }

    void rollsOut(KubernetesClient client) throws Exception {
        ModelVolumeClaim.create(
                client,
                NS,
                Path.of(System.getenv("FLEDGE_CLUSTER_DIR")),
                Map.of("v1", GatedNamespace.FIXTURES.resolve("v1"), "v2", GatedNamespace.FIXTURES.resolve("v2")));
        String image = GatedNamespace.modelServerImage(client);
        var scenario = new RolloutScenario(client, NS, NAME, STEP_TIMEOUT);

        // the users start as soon as the release's Services exist: the first release's gate reads their requests
        long t0 = System.nanoTime();
        Thread first = new Thread(() -> scenario.firstReleaseIsPromoted(release(client, image, "1.0.0", "v1")));
        Throwable[] failure = new Throwable[1];
        first.setUncaughtExceptionHandler((t, e) -> failure[0] = e);
        first.start();
        List<ServiceUsers> users = new ArrayList<>();
        try {
            var accepted = scenario.awaitStatus("1.0.0 taken up (a phase)", st -> st.getPhase() != null);
            assertThat(accepted.getPhase())
                    .as("the release's phase: %s", accepted.getConditions())
                    .isNotEqualTo(Phase.INVALID);
            for (String audience : List.of("internal", "closed", "public")) {
                users.add(GatedNamespace.users(client, NS, NAME, audience, STEP_TIMEOUT, seen -> {}));
            }
            first.join();
            if (failure[0] != null) {
                throw new AssertionError("the first release", failure[0]);
            }
            System.out.printf("cluster sidecar: 1.0.0 promoted in %d s%n", secondsSince(t0));
            podsRunTheUpstreamBehindTheSidecar(client, image);
            for (ServiceUsers u : users) {
                u.awaitFirstResponses(Duration.ofSeconds(60));
            }

            t0 = System.nanoTime();
            scenario.apply(release(client, image, "2.0.0", "v2"));
            scenario.awaitStatus(
                    "2.0.0 promoted", st -> st.getPhase() == Phase.PROMOTED && "2.0.0".equals(st.getStableVersion()));
            Thread.sleep(3000); // the seconds after the promotion count too
            for (ServiceUsers u : users) {
                u.stop();
            }
            System.out.printf(
                    "cluster sidecar: 2.0.0 promoted in %d s; internal: %s; closed: %s; public: %s%n",
                    secondsSince(t0),
                    users.get(0).summary(),
                    users.get(1).summary(),
                    users.get(2).summary());
            for (ServiceUsers u : users) {
                assertThat(u.failedAfterFirstSuccess())
                        .as("failed requests from the first 200 on: %s", u.summary())
                        .isEmpty();
                assertThat(u.connectRetries())
                        .as("connects tried again")
                        .hasSizeLessThanOrEqualTo(ServiceUsers.CONNECT_RETRIES_ALLOWED);
            }
            assertThat(users.get(2).byVersion())
                    .as("the public got both versions, told by the sidecar's X-Fledge-Model-Version")
                    .containsKeys("1.0.0", "2.0.0");
            podsRunTheUpstreamBehindTheSidecar(client, image);
        } finally {
            for (ServiceUsers u : users) {
                u.close();
            }
        }
    }

    /**
     * The running pods of the release: the user's container {@code model-server} with its one port {@code upstream}
     * and the sidecar {@code fledge-proxy} with the ports the Services target, both ready, both hardened by the
     * operator (non-root pod, read-only root filesystem, no privilege escalation).
     */
    static void podsRunTheUpstreamBehindTheSidecar(KubernetesClient client, String image) {
        List<Pod> pods = client.pods().inNamespace(NS).withLabel("fledge.dev/release", NAME).list().getItems().stream()
                .filter(p -> p.getMetadata().getDeletionTimestamp() == null
                        && "Running".equals(p.getStatus().getPhase()))
                .toList();
        assertThat(pods).as("running pods of %s", NAME).isNotEmpty();
        for (Pod p : pods) {
            assertThat(p.getSpec().getContainers())
                    .extracting(Container::getName)
                    .containsExactly("model-server", "fledge-proxy");
            Container upstream = p.getSpec().getContainers().get(0);
            assertThat(upstream.getImage()).isEqualTo(image);
            assertThat(upstream.getPorts())
                    .extracting(port -> port.getName() + ":" + port.getContainerPort())
                    .containsExactly("upstream:8000");
            assertThat(p.getStatus().getContainerStatuses())
                    .as("both containers ready in %s", p.getMetadata().getName())
                    .allSatisfy(c -> assertThat(c.getReady()).isTrue());
            assertThat(p.getSpec().getSecurityContext().getRunAsNonRoot()).isTrue();
            for (Container c : p.getSpec().getContainers()) {
                assertThat(c.getSecurityContext().getReadOnlyRootFilesystem())
                        .as(c.getName())
                        .isTrue();
                assertThat(c.getSecurityContext().getAllowPrivilegeEscalation())
                        .as(c.getName())
                        .isFalse();
            }
        }
    }

    /**
     * The release: the model-server image as the user's upstream (DJL mode, port 8000, its public port moved off the
     * sidecar's, all set by its command), its model from the release's claim, which the operator mounts in the user's
     * container at /var/run/fledge/model (docs/servers.md; a second volume of the same claim in the pod keeps it in
     * ContainerCreating: the kubelet mounts a claim once per pod), one replica, short stages, the error-rate gate.
     */
    static ModelRelease release(KubernetesClient client, String image, String version, String model) {
        String yaml = """
                apiVersion: fledge.dev/v1alpha1
                kind: ModelRelease
                metadata: {name: %s, namespace: %s}
                spec:
                  model: {name: assistant, version: "%s", uri: "pvc://assistant-models/%s"}
                  server:
                    replicas: 1
                    image: %s
                    upstream: {port: 8000, readinessPath: /q/health/ready}
                    template:
                      spec:
                        containers:
                          - name: model-server
                            # the image's own entrypoint (e2e/cluster/images.sh) with the server's settings as system
                            # properties: a release may not set FLEDGE_* or QUARKUS_* variables, upstream or not
                            command:
                              - java
                              - -Dai.djl.offline=true
                              - -Dai.djl.pytorch.num_threads=1
                              - -Dai.djl.pytorch.num_interop_threads=1
                              - -Djava.io.tmpdir=/tmp
                              - -Dquarkus.http.port=8000
                              - -Dfledge.public-port=8002
                              - -Dfledge.release=upstream
                              - -Dfledge.model.name=assistant
                              - -Dfledge.model.version=%s
                              - -Dfledge.model.uri=file:///var/run/fledge/model/%s
                              - -jar
                              - /deployments/quarkus-run.jar
                  traffic: {router: replicas}
                  stages:
                    - {name: internal, minDuration: 10s}
                    - {name: closed, minDuration: 5s}
                    - {name: public, steps: [50, 100], stepDuration: 5s}
                  analysis:
                    interval: 5s
                    metrics:
                      - {name: error-rate, template: error-rate, max: 0.05}
                  progressDeadline: 8m
                """.formatted(NAME, NS, version, model, image, version, model);
        return client.getKubernetesSerialization().unmarshal(yaml, ModelRelease.class);
    }

    static long secondsSince(long nanos) {
        return (System.nanoTime() - nanos) / 1_000_000_000L;
    }
}
