package dev.fledge.e2e.cluster;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import dev.fledge.api.Labels;
import dev.fledge.api.ModelRelease;
import dev.fledge.api.status.ModelReleaseStatus;
import dev.fledge.e2e.rollout.RolloutScenario;
import io.fabric8.kubernetes.api.model.Container;
import io.fabric8.kubernetes.api.model.ContainerPort;
import io.fabric8.kubernetes.api.model.EnvFromSource;
import io.fabric8.kubernetes.api.model.Pod;
import io.fabric8.kubernetes.api.model.SecretBuilder;
import io.fabric8.kubernetes.api.model.Volume;
import io.fabric8.kubernetes.api.model.VolumeMount;
import io.fabric8.kubernetes.client.Config;
import io.fabric8.kubernetes.client.KubernetesClient;
import io.fabric8.kubernetes.client.KubernetesClientBuilder;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import org.junit.jupiter.api.Tag;
import org.junit.jupiter.api.Test;

/**
 * The cluster tier with a model on an S3-compatible store (issue 17 part 6): a release whose model is the quick
 * start's archive {@code examples/models/v1.zip} (checked by its committed sha256) in a bucket of moto
 * ({@link ClusterS3}, on the node's address), and whose {@code spec.model.s3} names the endpoint and a Secret of the
 * credentials. moto refuses a read without credentials, so the release is promoted only if the model pods, real pods
 * of the model-server image, got the endpoint and the Secret's keys: the operator's env on the container, the Secret
 * as a volume the real kubelet mounts (its files read on the node), no {@code AWS_*} variable, the secret key in no
 * log, and the pod answering a completion with the archive's version.
 */
@Tag("cluster")
class S3ModelReleaseOnClusterTest {
    static final String NS = "s3-store";
    static final String NAME = "assistant";
    static final String SECRET = "model-store";
    static final String KEY_ID = "AKIAFLEDGECLUSTER";
    static final String SECRET_KEY = "fledge-cluster-secret-not-for-logs";
    static final String BUCKET = "models";
    static final String KEY = "assistant/1.0.0.zip";
    static final String VOLUME = "fledge-model-s3";
    static final Duration STEP_TIMEOUT = Duration.ofMinutes(8);

    @Test
    void aReleaseLoadsItsModelFromAnS3CompatibleStoreWithTheSecretTheKubeletMounts() throws Exception {
        String kubeconfig = ClusterChart.install();
        try (ClusterS3 s3 = ClusterS3.start(
                        ClusterChart.nodeIp(kubeconfig), Files.createTempDirectory("fledge-cluster-s3"));
                KubernetesClient client = new KubernetesClientBuilder()
                        .withConfig(Config.fromKubeconfig(kubeconfig))
                        .build()) {
            ClusterChart.inNamespace(client, NS, () -> loadsFromS3(client, s3));
        }
    }

    void loadsFromS3(KubernetesClient client, ClusterS3 s3) throws Exception {
        s3.put(BUCKET, KEY, Files.readAllBytes(ClusterChart.REPO.resolve("examples/models/v1.zip")));
        assertThat(s3.anonymousGet(BUCKET, KEY))
                .as("moto refuses a read without credentials")
                .isEqualTo(403);
        client.secrets()
                .inNamespace(NS)
                .resource(new SecretBuilder()
                        .withNewMetadata()
                        .withName(SECRET)
                        .endMetadata()
                        .addToStringData("AWS_ACCESS_KEY_ID", KEY_ID)
                        .addToStringData("AWS_SECRET_ACCESS_KEY", SECRET_KEY)
                        .build())
                .create();

        long t0 = System.nanoTime();
        ModelReleaseStatus st = new RolloutScenario(client, NS, NAME, STEP_TIMEOUT)
                .firstReleaseIsPromoted(release(client, s3.endpoint()));
        System.out.printf("cluster s3: 1.0.0 promoted in %d s, its model from %s%n", secondsSince(t0), s3.endpoint());
        assertThat(st.getStable().getS3()).as("status.stable.s3").isNotNull();
        assertThat(st.getStable().getS3().getSecretName())
                .as("status.stable.s3.secretName")
                .isEqualTo(SECRET);

        Pod pod = await("a running, ready stable pod of " + NAME)
                .atMost(Duration.ofMinutes(2))
                .pollInterval(Duration.ofSeconds(1))
                .until(() -> stablePod(client), Objects::nonNull);
        String podName = pod.getMetadata().getName();
        Container server = pod.getSpec().getContainers().stream()
                .filter(c -> "model-server".equals(c.getName()))
                .findFirst()
                .orElseThrow(() -> new AssertionError("no container model-server in pod " + podName));
        Map<String, String> env = new LinkedHashMap<>();
        server.getEnv().forEach(e -> env.put(e.getName(), e.getValue()));
        assertThat(env)
                .as("the env of model-server in pod %s", podName)
                .containsEntry("FLEDGE_MODEL_S3_ENDPOINT", s3.endpoint())
                .doesNotContainKeys(
                        "AWS_ACCESS_KEY_ID",
                        "AWS_SECRET_ACCESS_KEY",
                        "AWS_SESSION_TOKEN",
                        "AWS_PROFILE",
                        "AWS_WEB_IDENTITY_TOKEN_FILE");
        assertThat(Objects.requireNonNullElse(server.getEnvFrom(), List.<EnvFromSource>of()))
                .as("no envFrom of a Secret (the store's Secret's keys are named AWS_*)")
                .noneMatch(e -> e.getSecretRef() != null);

        Volume volume = pod.getSpec().getVolumes().stream()
                .filter(v -> VOLUME.equals(v.getName()))
                .findFirst()
                .orElseThrow(() -> new AssertionError("no volume " + VOLUME + " in pod " + podName));
        assertThat(volume.getSecret()).as("volume %s is a Secret", VOLUME).isNotNull();
        assertThat(volume.getSecret().getSecretName()).isEqualTo(SECRET);
        VolumeMount mount = server.getVolumeMounts().stream()
                .filter(m -> VOLUME.equals(m.getName()))
                .findFirst()
                .orElseThrow(() -> new AssertionError("model-server does not mount " + VOLUME));
        assertThat(mount.getReadOnly()).as("mount of %s read-only", VOLUME).isTrue();
        // the files the env names, as the real kubelet wrote them into the pod's Secret volume on the node
        Path onNode = Path.of(System.getenv("FLEDGE_CLUSTER_DIR"), "kubelet", "pods")
                .resolve(pod.getMetadata().getUid())
                .resolve("volumes")
                .resolve("kubernetes.io~secret")
                .resolve(VOLUME);
        Map<String, String> files = Map.of(
                "FLEDGE_MODEL_S3_ACCESS_KEY_ID_FILE", KEY_ID,
                "FLEDGE_MODEL_S3_SECRET_ACCESS_KEY_FILE", SECRET_KEY);
        for (var f : files.entrySet()) {
            String file = env.get(f.getKey());
            assertThat(file)
                    .as("%s points into %s", f.getKey(), mount.getMountPath())
                    .startsWith(mount.getMountPath() + "/");
            Path mounted = onNode.resolve(file.substring(mount.getMountPath().length() + 1));
            assertThat(Files.isRegularFile(mounted))
                    .as("%s (%s) mounted by the kubelet at %s", f.getKey(), file, mounted)
                    .isTrue();
            assertThat(Files.readString(mounted).equals(f.getValue()))
                    .as("%s holds the Secret's key", mounted)
                    .isTrue();
        }

        String log = client.pods()
                .inNamespace(NS)
                .withName(podName)
                .inContainer("model-server")
                .getLog();
        assertThat(log).as("the log of %s", podName).isNotBlank();
        assertThat(log.contains(SECRET_KEY))
                .as("the secret key in the log of %s", podName)
                .isFalse();

        int port = server.getPorts().stream()
                .filter(p -> "http".equals(p.getName()))
                .map(ContainerPort::getContainerPort)
                .findFirst()
                .orElseThrow(() -> new AssertionError("no port http on model-server in pod " + podName));
        String url = "http://" + pod.getStatus().getPodIP() + ":" + port + "/v1/completions";
        HttpResponse<String> answer = HttpClient.newBuilder()
                .connectTimeout(Duration.ofSeconds(5))
                .build()
                .send(
                        HttpRequest.newBuilder(URI.create(url))
                                .timeout(Duration.ofSeconds(30))
                                .header("Content-Type", "application/json")
                                .POST(HttpRequest.BodyPublishers.ofString(
                                        "{\"prompt\": \"the garden\", \"max_tokens\": 4}"))
                                .build(),
                        HttpResponse.BodyHandlers.ofString());
        assertThat(answer.statusCode()).as("POST %s: %s", url, answer.body()).isEqualTo(200);
        assertThat(answer.headers().firstValue("X-Fledge-Model-Version"))
                .as("X-Fledge-Model-Version of %s", url)
                .contains("1.0.0");
    }

    /** A stable pod of the release, running, ready and not being deleted; null while there is none. */
    static Pod stablePod(KubernetesClient client) {
        return client
                .pods()
                .inNamespace(NS)
                .withLabel(Labels.RELEASE, NAME)
                .withLabel(Labels.TRACK, Labels.TRACK_STABLE)
                .list()
                .getItems()
                .stream()
                .filter(p -> p.getMetadata().getDeletionTimestamp() == null
                        && "Running".equals(p.getStatus().getPhase())
                        && p.getStatus().getPodIP() != null
                        && p.getStatus().getConditions().stream()
                                .anyMatch(c -> "Ready".equals(c.getType()) && "True".equals(c.getStatus())))
                .findFirst()
                .orElse(null);
    }

    /**
     * The release: 1.0.0 from {@code s3://models/assistant/1.0.0.zip} with the archive's digest, the store's endpoint
     * and Secret in {@code spec.model.s3}; one replica, the replicas router. A first release has nothing to roll out
     * against: it is promoted once its pods are ready, that is once they loaded the archive.
     */
    static ModelRelease release(KubernetesClient client, String endpoint) throws Exception {
        String yaml = """
                apiVersion: fledge.dev/v1alpha1
                kind: ModelRelease
                metadata: {name: %s, namespace: %s}
                spec:
                  model:
                    name: assistant
                    version: "1.0.0"
                    uri: "s3://%s/%s"
                    sha256: %s
                    s3: {endpoint: "%s", secretName: %s}
                  server: {replicas: 1}
                  traffic: {router: replicas}
                  stages:
                    - {name: internal, minDuration: 5s}
                    - {name: closed, minDuration: 5s}
                    - {name: public, steps: [100], stepDuration: 5s}
                  analysis: {interval: 5s}
                  progressDeadline: 8m
                """.formatted(
                NAME, NS, BUCKET, KEY, QuickstartOnClusterTest.sha256Of("examples/models/v1.zip"), endpoint, SECRET);
        return client.getKubernetesSerialization().unmarshal(yaml, ModelRelease.class);
    }

    static long secondsSince(long nanos) {
        return (System.nanoTime() - nanos) / 1_000_000_000L;
    }
}
