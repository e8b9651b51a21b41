package dev.fledge.server.http;

import static dev.fledge.server.support.Api.metrics;
import static io.restassured.RestAssured.given;
import static org.assertj.core.api.Assertions.assertThat;

import dev.fledge.server.api.PublicPort;
import dev.fledge.server.support.MetricsText;
import dev.fledge.server.support.Profiles;
import io.quarkus.test.junit.QuarkusTest;
import io.quarkus.test.junit.TestProfile;
import io.restassured.http.ContentType;
import io.restassured.response.Response;
import jakarta.inject.Inject;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import org.junit.jupiter.api.Test;

/**
 * The public port (security review 15, MED 3): the replicas router's public Service {@code <release>} sends there,
 * and a public user who sends {@code X-Fledge-Audience: internal} must still count as public, in the metrics and in
 * the feedback its response ids may give. The main port, behind the audience Services, keeps honouring the header.
 */
@QuarkusTest
@TestProfile(Profiles.ServingV1.class)
class PublicPortTest {
    private static final String PROMPT = "{\"prompt\": \"the garden\", \"max_tokens\": 4}";
    private static final String CHAT =
            "{\"messages\": [{\"role\": \"user\", \"content\": \"the garden\"}], \"max_tokens\": 4}";
    private static final HttpClient HTTP = HttpClient.newHttpClient();

    @Inject
    PublicPort publicPort;

    private static double requests(MetricsText m, String audience) {
        return m.sum("fledge_model_requests_total", "audience", audience);
    }

    private static double feedback(MetricsText m, String audience) {
        return m.sum("fledge_model_feedback_total", "audience", audience);
    }

    private Response onPublicPort(String path, String json, String header, String value) {
        return given().port(publicPort.port())
                .contentType(ContentType.JSON)
                .header(header, value)
                .body(json)
                .post(path);
    }

    private static Response onMainPort(String path, String json, String audience) {
        var spec = given().contentType(ContentType.JSON).body(json);
        if (audience != null) {
            spec.header("X-Fledge-Audience", audience);
        }
        return spec.post(path);
    }

    @Test
    void aClaimedInternalAudienceOnThePublicPortIsCountedAsPublic() {
        MetricsText before = metrics();
        onPublicPort("/v1/completions", PROMPT, "X-Fledge-Audience", "internal")
                .then()
                .statusCode(200);
        onPublicPort("/v1/completions", PROMPT, "x-fledge-audience", "closed")
                .then()
                .statusCode(200);
        MetricsText after = metrics();
        assertThat(requests(after, "public") - requests(before, "public")).isEqualTo(2);
        assertThat(requests(after, "internal") - requests(before, "internal")).isZero();
        assertThat(requests(after, "closed") - requests(before, "closed")).isZero();
    }

    @Test
    void aResponseIdIssuedOnThePublicPortRatesAsPublicAndNeverAsInternal() {
        String id = onPublicPort("/v1/completions", PROMPT, "X-Fledge-Audience", "internal")
                .then()
                .statusCode(200)
                .extract()
                .path("id");
        String rating = "{\"id\": \"" + id + "\", \"rating\": \"negative\"}";
        MetricsText before = metrics();
        onMainPort("/v1/feedback", rating, "internal").then().statusCode(403);
        onPublicPort("/v1/feedback", rating, "X-Fledge-Audience", "internal")
                .then()
                .statusCode(200);
        MetricsText after = metrics();
        assertThat(feedback(after, "public") - feedback(before, "public")).isEqualTo(1);
        assertThat(feedback(after, "internal") - feedback(before, "internal")).isZero();
    }

    @Test
    void anInternalResponseIdCannotBeRatedThroughThePublicPortWhateverItsHeader() {
        String id = onMainPort("/v1/completions", PROMPT, "internal")
                .then()
                .statusCode(200)
                .extract()
                .path("id");
        String rating = "{\"id\": \"" + id + "\", \"rating\": \"negative\"}";
        MetricsText before = metrics();
        onPublicPort("/v1/feedback", rating, "X-Fledge-Audience", "internal")
                .then()
                .statusCode(403);
        assertThat(feedback(metrics(), "internal") - feedback(before, "internal"))
                .isZero();
    }

    /**
     * Review of issue 15: the public port served every path, {@code /metrics}, {@code /q/*} and
     * {@code /v1/moderations} included. It serves the paths a Gateway route carries and the readiness endpoint its
     * probe asks; the others are 404 there, also when spelled with dot segments, and still served on the main port.
     */
    @Test
    void thePublicPortServesOnlyTheModelApiAndTheReadinessEndpoint() throws Exception {
        assertThat(rawGet(publicPort.port(), "/v1/models")).isEqualTo(200);
        assertThat(rawGet(publicPort.port(), "/q/health/ready")).isEqualTo(200);
        onPublicPort("/v1/chat/completions", CHAT, "X-Fledge-Audience", "public")
                .then()
                .statusCode(200);
        for (String path : java.util.List.of(
                "/metrics",
                "/q/health/live",
                "/q/health",
                "/q/metrics",
                "/v1/modelsx",
                "/v2/modelsx",
                "/v2/health/ready",
                "/v1/models/../../metrics",
                "/v1/models/%2e%2e/%2E%2E/metrics",
                "/v1/completions/../moderations")) {
            assertThat(rawGet(publicPort.port(), path)).as(path).isEqualTo(404);
            assertThat(rawPost(publicPort.port(), path)).as("POST " + path).isEqualTo(404);
        }
        onPublicPort("/v1/moderations", "{\"input\": \"the garden\"}", "X-Fledge-Audience", "public")
                .then()
                .statusCode(404);

        assertThat(rawGet(io.restassured.RestAssured.port, "/metrics"))
                .as("the main port")
                .isEqualTo(200);
        assertThat(rawGet(io.restassured.RestAssured.port, "/q/health/live"))
                .as("the main port")
                .isEqualTo(200);
    }

    /**
     * Review of session 9, MED 1: the public port's paths lacked {@code /v2/models}, so tensor inference was 404
     * there (and no Gateway route carried it). It reaches the handler now, which answers this text model's server with
     * its own error.
     */
    @Test
    void tensorInferenceReachesItsHandlerOnThePublicPort() {
        onPublicPort(
                        "/v2/models/assistant/infer",
                        "{\"inputs\": [{\"name\": \"x\", \"shape\": [1], \"datatype\": \"FP32\", \"data\": [1]}]}",
                        "X-Fledge-Audience",
                        "public")
                .then()
                .statusCode(400)
                .body("error.message", org.hamcrest.Matchers.containsString("is a text model"));
    }

    /** A GET of {@code path} as written (no client normalises it), its status. */
    private static int rawGet(int port, String path) throws Exception {
        return HTTP.send(
                        HttpRequest.newBuilder(URI.create("http://localhost:" + port + path))
                                .GET()
                                .build(),
                        HttpResponse.BodyHandlers.discarding())
                .statusCode();
    }

    private static int rawPost(int port, String path) throws Exception {
        return HTTP.send(
                        HttpRequest.newBuilder(URI.create("http://localhost:" + port + path))
                                .header("Content-Type", "application/json")
                                .POST(HttpRequest.BodyPublishers.ofString(PROMPT))
                                .build(),
                        HttpResponse.BodyHandlers.discarding())
                .statusCode();
    }

    @Test
    void theMainPortStillHonoursTheAudienceHeader() {
        MetricsText before = metrics();
        onMainPort("/v1/completions", PROMPT, "internal").then().statusCode(200);
        MetricsText after = metrics();
        assertThat(requests(after, "internal") - requests(before, "internal")).isEqualTo(1);
        assertThat(requests(after, "public") - requests(before, "public")).isZero();
    }
}
