package dev.fledge.server.model;

import static org.assertj.core.api.Assertions.assertThat;

import dev.fledge.server.support.FixtureModels;
import dev.fledge.server.support.Json;
import dev.fledge.server.support.ModelZip;
import dev.fledge.server.support.MotoS3;
import dev.fledge.server.support.PackagedServer;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.HashMap;
import java.util.Map;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.TestInstance;
import org.junit.jupiter.api.io.TempDir;

/** The packaged server loading its model from s3:// (moto on loopback), with credentials from mounted files. */
@TestInstance(TestInstance.Lifecycle.PER_CLASS)
class S3ModelIT {
    private MotoS3 s3;
    private String sha256;

    @BeforeAll
    void startS3() throws Exception {
        s3 = MotoS3.start();
        byte[] archive = ModelZip.of(FixtureModels.model("v1"));
        sha256 = ModelZip.sha256(archive);
        s3.put("models", "assistant/1.0.0.zip", archive);
    }

    @AfterAll
    void stopS3() throws Exception {
        s3.close();
    }

    private Map<String, String> env(Path tmp, String expectedSha) throws Exception {
        Map<String, String> env = new HashMap<>(Map.of(
                "FLEDGE_MODEL_URI",
                "s3://models/assistant/1.0.0.zip",
                "FLEDGE_MODEL_SHA256",
                expectedSha,
                "FLEDGE_MODEL_S3_ENDPOINT",
                s3.endpoint(),
                "FLEDGE_MODEL_S3_ACCESS_KEY_ID_FILE",
                Files.writeString(tmp.resolve("id"), MotoS3.KEY_ID).toString(),
                "FLEDGE_MODEL_S3_SECRET_ACCESS_KEY_FILE",
                Files.writeString(tmp.resolve("secret"), MotoS3.SECRET).toString(),
                "FLEDGE_MODEL_CACHE_DIR",
                tmp.resolve("cache").toString(),
                "FLEDGE_TERMINATION_MESSAGE_PATH",
                tmp.resolve("termination-log").toString()));
        return env;
    }

    @Test
    void theServerLoadsItsModelFromS3AndServesIt(@TempDir Path tmp) throws Exception {
        try (PackagedServer server = PackagedServer.start("s3-model", env(tmp, sha256))) {
            URI base = server.awaitOk("/q/health/ready", Duration.ofMinutes(3)).base();
            HttpResponse<String> answer = HttpClient.newHttpClient()
                    .send(
                            HttpRequest.newBuilder(base.resolve("/v1/completions"))
                                    .POST(HttpRequest.BodyPublishers.ofString(
                                            "{\"prompt\": \"the garden\", \"max_tokens\": 4}"))
                                    .build(),
                            HttpResponse.BodyHandlers.ofString());
            assertThat(answer.statusCode()).isEqualTo(200);
            assertThat(Json.read(answer.body()).at("/usage/completion_tokens").asInt())
                    .isEqualTo(4);
        }
    }

    @Test
    void aSha256MismatchStopsTheStartWithAClearReasonForThePodStatus(@TempDir Path tmp) throws Exception {
        String wrong = "f".repeat(64);
        PackagedServer server = PackagedServer.start("s3-model-mismatch", env(tmp, wrong));
        try {
            assertThat(server.exitWithin(Duration.ofMinutes(3))).isNotZero();
            String reason = Files.readString(tmp.resolve("termination-log"));
            assertThat(reason)
                    .contains("sha256 mismatch")
                    .contains("expected " + wrong)
                    .contains("got " + sha256);
            assertThat(reason + server.logTail()).doesNotContain(MotoS3.SECRET);
        } finally {
            server.close();
        }
    }
}
