package dev.fledge.server.http;

import static io.restassured.RestAssured.given;
import static org.assertj.core.api.Assertions.assertThat;

import dev.fledge.server.support.ChunkedPost;
import dev.fledge.server.support.Json;
import dev.fledge.server.support.Profiles;
import io.quarkus.test.junit.QuarkusTest;
import io.quarkus.test.junit.TestProfile;
import io.restassured.RestAssured;
import io.restassured.http.ContentType;
import io.restassured.response.Response;
import java.nio.charset.StandardCharsets;
import java.util.stream.Stream;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.Arguments;
import org.junit.jupiter.params.provider.MethodSource;

/** Every row of the bad-input table gets its status and a JSON error body that names the problem. */
@QuarkusTest
@TestProfile(Profiles.ServingV1.class)
class BadInputTest {

    static Stream<Arguments> rows() {
        String big = "{\"prompt\": \"" + "a".repeat(1024 * 1024 + 10) + "\"}";
        return Stream.of(
                Arguments.of("body over 1 MiB", "/v1/completions", big, 413, "larger than the limit"),
                Arguments.of("malformed JSON", "/v1/completions", "{\"prompt\": \"x\",", 400, "malformed JSON"),
                Arguments.of("not an object", "/v1/completions", "[1, 2]", 400, "JSON object"),
                Arguments.of("empty body", "/v1/completions", "", 400, "empty"),
                Arguments.of(
                        "unknown field",
                        "/v1/completions",
                        "{\"prompt\": \"x\", \"best_of\": 2}",
                        400,
                        "unknown field 'best_of'"),
                Arguments.of(
                        "string max_tokens",
                        "/v1/completions",
                        "{\"prompt\": \"x\", \"max_tokens\": \"5\"}",
                        400,
                        "'max_tokens' has the wrong type"),
                Arguments.of(
                        "fractional max_tokens",
                        "/v1/completions",
                        "{\"prompt\": \"x\", \"max_tokens\": 5.5}",
                        400,
                        "'max_tokens' has the wrong type"),
                Arguments.of(
                        "number prompt", "/v1/completions", "{\"prompt\": 12}", 400, "'prompt' has the wrong type"),
                Arguments.of(
                        "string temperature",
                        "/v1/completions",
                        "{\"prompt\": \"x\", \"temperature\": \"hot\"}",
                        400,
                        "'temperature' has the wrong type"),
                Arguments.of("missing prompt", "/v1/completions", "{\"max_tokens\": 4}", 400, "'prompt' is required"),
                Arguments.of(
                        "max_tokens zero",
                        "/v1/completions",
                        "{\"prompt\": \"x\", \"max_tokens\": 0}",
                        400,
                        "max_tokens must be between 1 and 256"),
                Arguments.of(
                        "max_tokens too large",
                        "/v1/completions",
                        "{\"prompt\": \"x\", \"max_tokens\": 257}",
                        400,
                        "max_tokens must be between 1 and 256"),
                Arguments.of(
                        "temperature out of range",
                        "/v1/completions",
                        "{\"prompt\": \"x\", \"temperature\": 3}",
                        400,
                        "temperature must be between 0 and 2"),
                Arguments.of(
                        "unknown model",
                        "/v1/completions",
                        "{\"model\": \"gpt-9\", \"prompt\": \"x\"}",
                        404,
                        "'gpt-9' is not served here"),
                Arguments.of(
                        "tensor endpoint on a text model",
                        "/v2/models/assistant/infer",
                        "{\"inputs\": []}",
                        400,
                        "use POST /v1/completions"),
                Arguments.of("moderation without input", "/v1/moderations", "{}", 400, "'input' is required"),
                Arguments.of(
                        "moderation of a number",
                        "/v1/moderations",
                        "{\"input\": 3}",
                        400,
                        "string or a non-empty array"),
                Arguments.of(
                        "feedback with a bad rating",
                        "/v1/feedback",
                        "{\"id\": \"cmpl-1\", \"rating\": \"meh\"}",
                        400,
                        "'positive' or 'negative'"),
                Arguments.of(
                        "feedback for an unknown id",
                        "/v1/feedback",
                        "{\"id\": \"cmpl-unknown\", \"rating\": \"positive\"}",
                        404,
                        "unknown or expired"),
                Arguments.of("unknown path", "/v1/chat/nothing", "{}", 404, "not found"));
    }

    @ParameterizedTest(name = "{0} -> {3}")
    @MethodSource("rows")
    void badInputGetsAJsonErrorWithItsStatus(String row, String path, String body, int status, String message) {
        Response response = given().contentType(ContentType.JSON).body(body).post(path);
        assertThat(response.statusCode()).as(row).isEqualTo(status);
        assertThat(response.contentType()).as(row).startsWith("application/json");
        var error = Json.read(response.asString()).get("error");
        assertThat(error.get("message").asText()).as(row).contains(message);
        assertThat(error.get("code").asInt()).as(row).isEqualTo(status);
        assertThat(response.asString()).as(row).doesNotContain("Exception").doesNotContain("dev.fledge");
    }

    @Test
    void chunkedBodyOverTheLimitGetsAJson413() throws Exception {
        byte[] body = ("{\"prompt\": \"" + "a".repeat(1024 * 1024 + 100) + "\"}").getBytes(StandardCharsets.UTF_8);
        ChunkedPost.Answer answer = ChunkedPost.send(RestAssured.port, "/v1/completions", body);
        assertThat(answer.status()).isEqualTo(413);
        assertThat(answer.headers().get("content-type")).startsWith("application/json");
        var error = Json.read(answer.body()).get("error");
        assertThat(error.get("message").asText()).contains("larger than the limit of 1048576 bytes");
        assertThat(error.get("code").asInt()).isEqualTo(413);
    }

    @Test
    void chunkedBodyWithinTheLimitIsServed() throws Exception {
        byte[] body = "{\"prompt\": \"the garden\", \"max_tokens\": 3, \"seed\": 7}".getBytes(StandardCharsets.UTF_8);
        ChunkedPost.Answer answer = ChunkedPost.send(RestAssured.port, "/v1/completions", body);
        assertThat(answer.status()).as(answer.body()).isEqualTo(200);
        assertThat(Json.read(answer.body())
                        .get("usage")
                        .get("completion_tokens")
                        .asInt())
                .isEqualTo(3);
    }

    @Test
    void chunkedMalformedBodyGetsA400() throws Exception {
        ChunkedPost.Answer answer =
                ChunkedPost.send(RestAssured.port, "/v1/completions", "{\"prompt\": ".getBytes(StandardCharsets.UTF_8));
        assertThat(answer.status()).isEqualTo(400);
        assertThat(Json.read(answer.body()).get("error").get("message").asText())
                .contains("malformed JSON");
    }
}
