package dev.fledge.e2e.local;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import dev.fledge.api.Labels;
import dev.fledge.api.ModelRelease;
import dev.fledge.api.spec.S3StoreSpec;
import dev.fledge.api.status.ModelReleaseStatus;
import dev.fledge.api.status.Phase;
import io.fabric8.kubernetes.api.model.SecretBuilder;
import io.fabric8.kubernetes.api.model.Volume;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.Arrays;
import java.util.LinkedHashMap;
import java.util.Map;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Tag;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.TestInstance;

/**
 * Issue 17 part 6, end to end over real processes: a release whose model is an archive on an S3-compatible server
 * (moto on loopback) names the endpoint and a Secret of its credentials in {@code spec.model.s3}; the operator (in
 * process, on a real kube-apiserver) wires them into the model pods, and the model servers the kubelet stand-in runs
 * with the pods' env and Secret volumes load the archive and serve it. The archive is the quick start's
 * {@code examples/models/v1.zip} ({@code make model-archive}'s output, committed), checked by its sha256. moto refuses
 * a read without credentials, and no process gets the test JVM's {@code AWS_*} variables: the model loads only if
 * the endpoint and the Secret's keys reach the server.
 */
@Tag("e2e")
@Tag("prometheus")
@TestInstance(TestInstance.Lifecycle.PER_CLASS)
class S3ModelReleaseE2eTest {
    static final String NS = "e2e-s3";
    static final String NAME = "assistant";
    static final String SECRET = "model-store";
    static final String KEY_ID = "AKIAFLEDGEE2E";
    static final String SECRET_KEY = "fledge-e2e-secret-not-for-logs";

    LocalFledge fledge;
    LocalS3 s3;
    String sha256;

    @BeforeAll
    void start() throws Exception {
        fledge = new LocalFledge(NS, LocalGates::provider);
        s3 = LocalS3.start(fledge.work.resolve("logs"));
        Path archive = fledge.repo.resolve("examples/models/v1.zip");
        sha256 = Files.readString(fledge.repo.resolve("examples/models/v1.zip.sha256"))
                .split("\\s+")[0];
        s3.put("models", "assistant/1.0.0.zip", Files.readAllBytes(archive));
        assertThat(s3.anonymousGet("models", "assistant/1.0.0.zip"))
                .as("moto refuses a read without credentials")
                .isEqualTo(403);
        fledge.client.resource(E2eReleases.gateway(NS)).serverSideApply();
        fledge.client
                .resource(new SecretBuilder()
                        .withNewMetadata()
                        .withName(SECRET)
                        .withNamespace(NS)
                        .endMetadata()
                        .addToStringData("AWS_ACCESS_KEY_ID", KEY_ID)
                        .addToStringData("AWS_SECRET_ACCESS_KEY", SECRET_KEY)
                        .build())
                .serverSideApply();
    }

    @AfterAll
    void stop() {
        if (fledge != null) {
            fledge.close();
        }
        if (s3 != null) {
            s3.close();
        }
    }

    @Test
    void aFirstReleaseLoadsItsModelFromAnS3CompatibleStoreWithTheSecretsCredentials() throws Exception {
        ModelRelease mr = E2eReleases.release(NS, NAME, "1.0.0", "s3://models/assistant/1.0.0.zip");
        mr.getSpec().getModel().setSha256(sha256);
        mr.getSpec()
                .getModel()
                .setS3(new S3StoreSpec().withEndpoint(s3.endpoint()).withSecretName(SECRET));
        fledge.client.resource(mr).serverSideApply();

        ModelReleaseStatus st = awaitStatus(
                s -> s.getPhase() == Phase.PROMOTED && "1.0.0".equals(s.getStableVersion()), Duration.ofMinutes(4));
        assertThat(st.getStable().getS3().getSecretName()).isEqualTo(SECRET);

        LocalKubelet.Pod stable = await().atMost(Duration.ofMinutes(2))
                .until(
                        () -> fledge.kubelet.pods().stream()
                                .filter(p -> Labels.TRACK_STABLE.equals(p.track()) && p.ready())
                                .findFirst()
                                .orElse(null),
                        java.util.Objects::nonNull);
        Map<String, String> env = environ(stable.process().pid());
        assertThat(env)
                .as("the model server's environment")
                .containsEntry("FLEDGE_MODEL_S3_ENDPOINT", s3.endpoint())
                .doesNotContainKeys(
                        "AWS_ACCESS_KEY_ID",
                        "AWS_SECRET_ACCESS_KEY",
                        "AWS_SESSION_TOKEN",
                        "AWS_PROFILE",
                        "AWS_WEB_IDENTITY_TOKEN_FILE");
        assertThat(Files.readString(Path.of(env.get("FLEDGE_MODEL_S3_ACCESS_KEY_ID_FILE"))))
                .isEqualTo(KEY_ID);
        assertThat(Files.readString(Path.of(env.get("FLEDGE_MODEL_S3_SECRET_ACCESS_KEY_FILE"))))
                .isEqualTo(SECRET_KEY);
        assertThat(Files.readString(stable.process().log)).doesNotContain(SECRET_KEY);

        HttpResponse<String> answer = HttpClient.newHttpClient()
                .send(
                        HttpRequest.newBuilder(URI.create(stable.url() + "/v1/completions"))
                                .header("Content-Type", "application/json")
                                .POST(HttpRequest.BodyPublishers.ofString(
                                        "{\"prompt\": \"the garden\", \"max_tokens\": 4}"))
                                .build(),
                        HttpResponse.BodyHandlers.ofString());
        assertThat(answer.statusCode()).isEqualTo(200);
        assertThat(answer.headers().firstValue("X-Fledge-Model-Version")).contains("1.0.0");

        Volume volume = fledge
                .client
                .apps()
                .deployments()
                .inNamespace(NS)
                .withName(NAME + "-stable")
                .get()
                .getSpec()
                .getTemplate()
                .getSpec()
                .getVolumes()
                .stream()
                .filter(v -> "fledge-model-s3".equals(v.getName()))
                .findFirst()
                .orElseThrow();
        assertThat(volume.getSecret().getSecretName()).isEqualTo(SECRET);
    }

    /** The environment of process {@code pid}, as the operating system holds it. */
    static Map<String, String> environ(long pid) throws Exception {
        byte[] raw = Files.readAllBytes(Path.of("/proc/" + pid + "/environ"));
        Map<String, String> env = new LinkedHashMap<>();
        Arrays.stream(new String(raw, StandardCharsets.UTF_8).split("\0"))
                .filter(e -> e.contains("="))
                .forEach(e -> env.put(e.substring(0, e.indexOf('=')), e.substring(e.indexOf('=') + 1)));
        return env;
    }

    ModelReleaseStatus awaitStatus(java.util.function.Predicate<ModelReleaseStatus> p, Duration timeout) {
        return fledge.awaitStatus(NAME, p, timeout);
    }
}
