package dev.fledge.server.feedback;

import static dev.fledge.server.proxy.Http.metrics;
import static dev.fledge.server.proxy.Http.post;
import static org.assertj.core.api.Assertions.assertThat;

import dev.fledge.server.support.FixtureModels;
import dev.fledge.server.support.Json;
import dev.fledge.server.support.MetricsText;
import dev.fledge.server.support.PackagedServer;
import java.net.URI;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.Base64;
import java.util.Map;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.TestInstance;

/**
 * Issue 19 item 6 and issue 15's leaked-id finding, with two replicas of one release (each its own process from the
 * packaged jar) that share the signing key file, as the pods of a release share a Secret: a response id served by
 * replica A is rated on replica B; a rating from another audience, or of a forged id, is refused.
 */
@TestInstance(TestInstance.Lifecycle.PER_CLASS)
class ResponseIdsAcrossReplicasIT {
    private static final String PROMPT = "{\"prompt\": \"the garden\", \"max_tokens\": 4}";
    private PackagedServer a;
    private PackagedServer b;
    private URI replicaA;
    private URI replicaB;

    @BeforeAll
    void startTwoReplicas() throws Exception {
        Path key = Files.createTempFile("fledge-response-id-key", "");
        Files.write(key, "0123456789abcdef0123456789abcdef-shared-by-the-release".getBytes(StandardCharsets.UTF_8));
        Map<String, String> env =
                Map.of("FLEDGE_MODEL_URI", FixtureModels.uri("v1"), "FLEDGE_FEEDBACK_SIGNING_KEY_FILE", key.toString());
        a = PackagedServer.start("replica-a", env);
        b = PackagedServer.start("replica-b", env);
        replicaA = a.awaitOk("/q/health/ready", Duration.ofMinutes(3)).base();
        replicaB = b.awaitOk("/q/health/ready", Duration.ofMinutes(3)).base();
    }

    @AfterAll
    void stop() throws Exception {
        for (PackagedServer server : new PackagedServer[] {a, b}) {
            if (server != null) {
                server.close();
            }
        }
    }

    private String served(URI replica, String audience) throws Exception {
        var response = audience == null
                ? post(replica, "/v1/completions", PROMPT)
                : post(replica, "/v1/completions", PROMPT, "X-Fledge-Audience", audience);
        assertThat(response.statusCode()).isEqualTo(200);
        return Json.read(response.body()).get("id").asText();
    }

    private static int rate(URI replica, String id, String audience) throws Exception {
        String body = "{\"id\": \"" + id + "\", \"rating\": \"negative\"}";
        return (audience == null
                        ? post(replica, "/v1/feedback", body)
                        : post(replica, "/v1/feedback", body, "X-Fledge-Audience", audience))
                .statusCode();
    }

    private static double negative(MetricsText m, String audience) {
        return m.value(
                "fledge_model_feedback_total",
                "release",
                "assistant",
                "version",
                "1.0.0",
                "audience",
                audience,
                "rating",
                "negative");
    }

    @Test
    void anIdServedByOneReplicaIsRatedOnAnother() throws Exception {
        String id = served(replicaA, "internal");
        MetricsText before = metrics(replicaB);
        assertThat(rate(replicaB, id, "internal")).isEqualTo(200);
        assertThat(negative(metrics(replicaB), "internal") - negative(before, "internal"))
                .isEqualTo(1);
        assertThat(rate(replicaB, id, "internal"))
                .as("rated once, on that replica")
                .isEqualTo(409);
    }

    @Test
    void aLeakedInternalIdRatedFromThePublicIsRefusedAndStaysOpenForTheInternalUser() throws Exception {
        String id = served(replicaA, "internal");
        MetricsText before = metrics(replicaB);
        assertThat(rate(replicaB, id, null)).isEqualTo(403);
        assertThat(rate(replicaA, id, null)).isEqualTo(403);
        assertThat(negative(metrics(replicaB), "public") - negative(before, "public"))
                .isZero();
        assertThat(rate(replicaB, id, "internal")).as("not pre-empted").isEqualTo(200);
    }

    @Test
    void aForgedIdIsRefused() throws Exception {
        String id = served(replicaA, null);
        int dash = id.indexOf('-');
        int dot = id.lastIndexOf('.');
        String payload = new String(Base64.getUrlDecoder().decode(id.substring(dash + 1, dot)), StandardCharsets.UTF_8);
        String forged = id.substring(0, dash + 1)
                + Base64.getUrlEncoder()
                        .withoutPadding()
                        .encodeToString(
                                payload.replace("|public|", "|internal|").getBytes(StandardCharsets.UTF_8))
                + id.substring(dot);
        assertThat(rate(replicaB, forged, "internal")).isEqualTo(404);
        assertThat(rate(replicaB, "cmpl-0123456789abcdef0123456789abcdef", null))
                .isEqualTo(404);
    }
}
