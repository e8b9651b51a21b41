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

    @Test
    void theMainPortStillHonoursTheAudienceHeader() {
        MetricsText before = metrics();
        onMainPort("/v1/completions", PROMPT, "internal").then().statusCode(200);
        MetricsText after = metrics();
        assertThat(requests(after, "internal") - requests(before, "internal")).isEqualTo(1);
        assertThat(requests(after, "public") - requests(before, "public")).isZero();
    }
}
