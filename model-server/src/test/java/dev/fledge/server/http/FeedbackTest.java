package dev.fledge.server.http;

import static dev.fledge.server.support.Api.complete;
import static dev.fledge.server.support.Api.metrics;
import static dev.fledge.server.support.Api.post;
import static org.assertj.core.api.Assertions.assertThat;
import static org.hamcrest.Matchers.containsString;
import static org.hamcrest.Matchers.equalTo;

import dev.fledge.server.support.MetricsText;
import dev.fledge.server.support.Profiles;
import io.quarkus.test.junit.QuarkusTest;
import io.quarkus.test.junit.TestProfile;
import org.junit.jupiter.api.Test;

@QuarkusTest
@TestProfile(Profiles.ServingV1.class)
class FeedbackTest {

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
    void feedbackIsCountedUnderTheAudienceTheResponseWasIssuedToWhenTheRatingComesFromIt() {
        String id = issue("internal");
        MetricsText before = metrics();
        post("/v1/feedback", "{\"id\": \"" + id + "\", \"rating\": \"negative\"}", "internal")
                .then()
                .statusCode(200)
                .body("status", equalTo("recorded"));
        MetricsText after = metrics();
        assertThat(negative(after, "internal") - negative(before, "internal")).isEqualTo(1);
        assertThat(negative(after, "public") - negative(before, "public")).isZero();
    }

    @Test
    void aRatingFromThePublicOfAnInternalResponseIsRefusedAndDoesNotPreEmptTheInternalRating() {
        String id = issue("internal");
        MetricsText before = metrics();
        post("/v1/feedback", "{\"id\": \"" + id + "\", \"rating\": \"negative\"}")
                .then()
                .statusCode(403)
                .body("error.message", containsString("served to another audience"));
        MetricsText after = metrics();
        assertThat(negative(after, "internal") - negative(before, "internal"))
                .as("a leaked internal response id does not give the public an internal vote")
                .isZero();
        assertThat(negative(after, "public") - negative(before, "public")).isZero();
        post("/v1/feedback", "{\"id\": \"" + id + "\", \"rating\": \"negative\"}", "internal")
                .then()
                .statusCode(200);
    }

    @Test
    void aForgedInternalHeaderOnAPublicResponsesRatingIsRefused() {
        String id = issue(null);
        MetricsText before = metrics();
        post("/v1/feedback", "{\"id\": \"" + id + "\", \"rating\": \"negative\"}", "internal")
                .then()
                .statusCode(403);
        MetricsText after = metrics();
        assertThat(negative(after, "internal") - negative(before, "internal")).isZero();
        assertThat(negative(after, "public") - negative(before, "public")).isZero();
    }

    private static String issue(String audience) {
        return complete("{\"prompt\": \"the garden\", \"max_tokens\": 4}", audience)
                .then()
                .statusCode(200)
                .extract()
                .path("id");
    }

    @Test
    void unknownIdIsRejectedWith404AndNotCounted() {
        MetricsText before = metrics();
        post("/v1/feedback", "{\"id\": \"cmpl-never-issued\", \"rating\": \"negative\"}")
                .then()
                .statusCode(404)
                .body("error.message", containsString("unknown or expired response id"));
        assertThat(negative(metrics(), "public")).isEqualTo(negative(before, "public"));
    }

    @Test
    void aResponseCanBeRatedOnlyOnce() {
        String id = complete("{\"prompt\": \"the garden\", \"max_tokens\": 4}", null)
                .then()
                .extract()
                .path("id");
        post("/v1/feedback", "{\"id\": \"" + id + "\", \"rating\": \"positive\"}")
                .then()
                .statusCode(200);
        post("/v1/feedback", "{\"id\": \"" + id + "\", \"rating\": \"negative\"}")
                .then()
                .statusCode(409)
                .body("error.message", containsString("already rated"));
    }
}
