package dev.fledge.server.http;

import static dev.fledge.server.support.Api.metrics;
import static dev.fledge.server.support.Api.post;
import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import dev.fledge.server.support.Json;
import dev.fledge.server.support.MetricsText;
import dev.fledge.server.support.Profiles;
import dev.fledge.server.support.Sse;
import io.quarkus.test.junit.QuarkusTest;
import io.quarkus.test.junit.TestProfile;
import io.restassured.RestAssured;
import io.restassured.http.ContentType;
import io.restassured.response.Response;
import io.restassured.specification.RequestSpecification;
import java.util.Arrays;
import java.util.stream.Stream;
import org.hamcrest.Matchers;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;

/** {@code /v1/chat/completions} and streaming (both endpoints) in the DJL mode, over HTTP. */
@QuarkusTest
@TestProfile(Profiles.ServingV1.class)
class ChatCompletionsTest {
    private static final String CHAT = "{\"messages\": [{\"role\": \"system\", \"content\": \"you are in the garden\"},"
            + " {\"role\": \"user\", \"content\": \"what grows there?\"}], \"max_tokens\": 12, \"seed\": 5";

    private static JsonNode ok(Response response) {
        return Json.read(response.then().statusCode(200).extract().asString());
    }

    @Test
    void chatAnswerIsOpenAiShapedWithTheAssistantsMessageAndUsage() {
        JsonNode answer = ok(post("/v1/chat/completions", CHAT + "}"));
        assertThat(answer.get("id").asText()).startsWith("chatcmpl-");
        assertThat(answer.get("object").asText()).isEqualTo("chat.completion");
        assertThat(answer.get("model").asText()).isEqualTo("assistant");
        JsonNode choice = answer.at("/choices/0");
        assertThat(choice.at("/message/role").asText()).isEqualTo("assistant");
        assertThat(choice.at("/message/content").asText()).isNotBlank();
        assertThat(choice.get("finish_reason").asText()).isEqualTo("length");
        assertThat(answer.at("/usage/completion_tokens").asInt()).isEqualTo(12);
        // template: "you are in the garden. what grows there?" = 8 words and 2 marks
        assertThat(answer.at("/usage/prompt_tokens").asInt()).isEqualTo(10);
    }

    @Test
    void theChatTemplateIsTheMessagesContentsEachEndingASentence() {
        String chat = ok(post("/v1/chat/completions", CHAT + "}"))
                .at("/choices/0/message/content")
                .asText();
        String completion = ok(post(
                        "/v1/completions",
                        "{\"prompt\": \"you are in the garden. what grows there?\","
                                + " \"max_tokens\": 12, \"seed\": 5}"))
                .at("/choices/0/text")
                .asText();
        assertThat(chat).isEqualTo(completion);
    }

    @Test
    void streamedChatSendsTheRoleThenOneChunkPerWordThenTheFinishAndDone() {
        String whole = ok(post("/v1/chat/completions", CHAT + "}"))
                .at("/choices/0/message/content")
                .asText();
        Response response = post("/v1/chat/completions", CHAT + ", \"stream\": true}");
        response.then()
                .statusCode(200)
                .contentType(Matchers.startsWith("text/event-stream"))
                .header("X-Fledge-Model-Version", "1.0.0");
        Sse sse = Sse.parse(response.asString());
        assertThat(sse.last()).isEqualTo("[DONE]");
        var chunks = sse.chunks();
        assertThat(chunks).hasSize(1 + 12 + 1);
        assertThat(chunks).allSatisfy(c -> {
            assertThat(c.get("object").asText()).isEqualTo("chat.completion.chunk");
            assertThat(c.get("id").asText())
                    .isEqualTo(chunks.get(0).get("id").asText())
                    .startsWith("chatcmpl-");
        });
        assertThat(chunks.get(0).at("/choices/0/delta/role").asText()).isEqualTo("assistant");
        assertThat(chunks.get(chunks.size() - 1).at("/choices/0/finish_reason").asText())
                .isEqualTo("length");
        assertThat(chunks.get(1).at("/choices/0/finish_reason").isNull()).isTrue();
        assertThat(sse.text()).isEqualTo(whole);
        assertThat(chunks).noneMatch(c -> c.has("usage"));
    }

    @Test
    void streamedCompletionAddsUpToTheSameTextAndEndsWithUsageWhenAskedFor() {
        String body = "{\"prompt\": \"the garden\", \"max_tokens\": 9, \"seed\": 3";
        String whole =
                ok(post("/v1/completions", body + "}")).at("/choices/0/text").asText();
        Sse sse = Sse.parse(post(
                        "/v1/completions",
                        body + ", \"stream\": true, \"stream_options\":" + " {\"include_usage\": true}}")
                .then()
                .statusCode(200)
                .extract()
                .asString());
        assertThat(sse.text()).isEqualTo(whole);
        var chunks = sse.chunks();
        assertThat(chunks.get(0).get("object").asText()).isEqualTo("text_completion");
        JsonNode usage = chunks.get(chunks.size() - 1);
        assertThat(usage.get("choices")).isEmpty();
        assertThat(usage.at("/usage/completion_tokens").asInt()).isEqualTo(9);
        assertThat(usage.at("/usage/prompt_tokens").asInt()).isEqualTo(2);
        assertThat(sse.last()).isEqualTo("[DONE]");
    }

    @Test
    void streamedOutputsAreJudgedAndCountedLikeWholeOnes() {
        MetricsText before = metrics();
        for (int seed = 0; seed < 3; seed++) {
            String body = "{\"messages\": [{\"role\": \"user\", \"content\": \"the rain\"}], \"max_tokens\": 6,"
                    + " \"seed\": " + seed + ", \"stream\": true}";
            given("internal").body(body).post("/v1/chat/completions").then().statusCode(200);
        }
        MetricsText after = metrics();
        String[] internal = {"release", "assistant", "version", "1.0.0", "audience", "internal"};
        assertThat(delta(before, after, "fledge_model_requests_total", internal, "outcome", "success"))
                .isEqualTo(3);
        assertThat(delta(before, after, "fledge_model_outputs_total", internal, "verdict", "safe")
                        + delta(before, after, "fledge_model_outputs_total", internal, "verdict", "flagged"))
                .isEqualTo(3);
        assertThat(delta(before, after, "fledge_model_generated_tokens_total", internal))
                .isEqualTo(18);
    }

    @Test
    void aStreamedResponseIdCanBeRated() {
        Sse sse = Sse.parse(post("/v1/chat/completions", CHAT + ", \"stream\": true}")
                .then()
                .statusCode(200)
                .extract()
                .asString());
        String id = sse.chunks().get(0).get("id").asText();
        post("/v1/feedback", "{\"id\": \"" + id + "\", \"rating\": \"positive\"}")
                .then()
                .statusCode(200);
    }

    @ParameterizedTest(name = "{0}")
    @CsvSource(
            delimiter = '|',
            quoteCharacter = '`',
            value = {
                "no messages|{\"max_tokens\": 3}|'messages' is required",
                "empty messages|{\"messages\": []}|'messages' is required",
                "bad role|{\"messages\": [{\"role\": \"wizard\", \"content\": \"hi\"}]}|messages[0].role must be one of",
                "missing content|{\"messages\": [{\"role\": \"user\"}]}|messages[0].content is required",
                "number content|{\"messages\": [{\"role\": \"user\", \"content\": 5}]}|'messages[0].content' has the wrong type",
                "unknown field|{\"messages\": [{\"role\": \"user\", \"content\": \"a\"}], \"tools\": []}|unknown field 'tools'",
                "string stream|{\"messages\": [{\"role\": \"user\", \"content\": \"a\"}], \"stream\": \"yes\"}|'stream' has the wrong type",
                "too many tokens|{\"messages\": [{\"role\": \"user\", \"content\": \"a\"}], \"max_completion_tokens\": 999}|max_tokens must be between 1 and 256",
                "both limits|{\"messages\": [{\"role\": \"user\", \"content\": \"a\"}], \"max_tokens\": 2, \"max_completion_tokens\": 2}|not both",
                "invalid stream request|{\"prompt\": \"x\", \"max_tokens\": 0, \"stream\": true}|max_tokens must be between"
            })
    void invalidChatRequestsGetAJson400(String row, String body, String message) {
        String path = body.contains("prompt") ? "/v1/completions" : "/v1/chat/completions";
        Response response = post(path, body);
        assertThat(response.statusCode()).as(row).isEqualTo(400);
        assertThat(response.contentType()).as(row).startsWith("application/json");
        assertThat(Json.read(response.asString()).at("/error/message").asText())
                .as(row)
                .contains(message);
    }

    private static RequestSpecification given(String audience) {
        return RestAssured.given().contentType(ContentType.JSON).header("X-Fledge-Audience", audience);
    }

    private static double delta(MetricsText before, MetricsText after, String name, String[] base, String... more) {
        String[] labels =
                Stream.concat(Arrays.stream(base), Arrays.stream(more)).toArray(String[]::new);
        return after.value(name, labels) - before.value(name, labels);
    }
}
