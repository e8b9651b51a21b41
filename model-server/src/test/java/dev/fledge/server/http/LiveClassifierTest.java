package dev.fledge.server.http;

import static dev.fledge.server.support.Api.metrics;
import static dev.fledge.server.support.Api.post;
import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import com.fasterxml.jackson.databind.JsonNode;
import dev.fledge.server.guard.StandInClassifier;
import dev.fledge.server.support.Json;
import dev.fledge.server.support.MetricsText;
import dev.fledge.server.support.Profiles;
import io.quarkus.test.junit.QuarkusTest;
import io.quarkus.test.junit.TestProfile;
import java.time.Duration;
import java.util.List;
import java.util.concurrent.CompletableFuture;
import java.util.stream.IntStream;
import org.junit.jupiter.api.Test;

/**
 * Live outputs judged by a classifier ({@code fledge.guard.judge.*}) over real HTTP: its verdicts, not the word
 * list's, are what {@code fledge_model_outputs_total} and {@code fledge_model_output_flags_total} count, under the
 * mapped category names (a critical one by its own name, not {@code -possible}); an output it gives no verdict on
 * (timeout, HTTP error, an answer in another format, too many under way) counts as {@code unjudged}, never as safe.
 * Every answer of this server is {@code I will kill you}, which the word list flags as violence.
 */
@QuarkusTest
@TestProfile(Profiles.Classified.class)
class LiveClassifierTest {
    private static final String[] PUBLIC = {"release", "assistant", "version", "1.0.0", "audience", "public"};

    private static double outputs(MetricsText m, String verdict) {
        return m.value("fledge_model_outputs_total", with("verdict", verdict));
    }

    private static double flags(MetricsText m, String category) {
        return m.value("fledge_model_output_flags_total", with("category", category));
    }

    private static String[] with(String name, String value) {
        String[] labels = java.util.Arrays.copyOf(PUBLIC, PUBLIC.length + 2);
        labels[PUBLIC.length] = name;
        labels[PUBLIC.length + 1] = value;
        return labels;
    }

    private static JsonNode complete(String prompt) {
        return Json.read(post("/v1/completions", "{\"prompt\": \"" + prompt + "\", \"max_tokens\": 4}")
                .then()
                .statusCode(200)
                .extract()
                .asString());
    }

    /** Waits until the counters moved by {@code outputs} outputs in all. */
    private static MetricsText afterJudging(MetricsText before, int outputs) {
        MetricsText[] now = new MetricsText[1];
        await().atMost(Duration.ofSeconds(15)).until(() -> {
            now[0] = metrics();
            double judged = 0;
            for (String v : List.of("safe", "flagged", "unjudged")) {
                judged += outputs(now[0], v) - outputs(before, v);
            }
            return judged >= outputs;
        });
        return now[0];
    }

    @Test
    void theClassifiersVerdictIsCountedUnderItsMappedCategoryNotTheWordLists() {
        MetricsText before = metrics();
        JsonNode unsafe = complete("[unsafe] how do I feel better");
        JsonNode safe = complete("tell me about the garden");
        MetricsText after = afterJudging(before, 2);

        assertThat(outputs(after, "flagged") - outputs(before, "flagged")).isEqualTo(1);
        assertThat(outputs(after, "safe") - outputs(before, "safe")).isEqualTo(1);
        assertThat(flags(after, "self-harm") - flags(before, "self-harm"))
                .as("S11 counted under its mapped name, a critical category reported by a classifier")
                .isEqualTo(1);
        assertThat(flags(after, "violence") - flags(before, "violence"))
                .as("the word list's hit on every answer is not counted")
                .isZero();
        assertThat(after.value("fledge_model_generated_tokens_total", PUBLIC)
                        - before.value("fledge_model_generated_tokens_total", PUBLIC))
                .isEqualTo(unsafe.at("/usage/completion_tokens").asLong()
                        + safe.at("/usage/completion_tokens").asLong());

        JsonNode asked = StandInClassifier.get().requests().stream()
                .filter(r -> r.at("/messages/0/content").asText().equals("[unsafe] how do I feel better"))
                .findFirst()
                .orElseThrow();
        assertThat(asked.path("model").asText()).isEqualTo("llama-guard-3");
        assertThat(asked.path("temperature").asInt()).isZero();
        assertThat(asked.path("messages")).hasSize(2);
        assertThat(asked.at("/messages/1/role").asText()).isEqualTo("assistant");
        assertThat(asked.at("/messages/1/content").asText())
                .as("the output the user got")
                .isEqualTo(unsafe.at("/choices/0/text").asText());
    }

    @Test
    void aChatIsJudgedAsItsUserAndAssistantTurnsWithoutTheSystemPrompt() {
        MetricsText before = metrics();
        String chat = "{\"messages\": [{\"role\": \"system\", \"content\": \"be kind\"},"
                + " {\"role\": \"user\", \"content\": \"[unsafe] first\"},"
                + " {\"role\": \"assistant\", \"content\": \"an earlier answer\"},"
                + " {\"role\": \"user\", \"content\": \"and now?\"}],"
                + " \"max_tokens\": 4}";
        JsonNode answer = Json.read(post("/v1/chat/completions", chat)
                .then()
                .statusCode(200)
                .extract()
                .asString());
        MetricsText after = afterJudging(before, 1);
        assertThat(outputs(after, "flagged") - outputs(before, "flagged")).isEqualTo(1);

        JsonNode asked = StandInClassifier.get().requests().stream()
                .filter(r -> r.at("/messages/0/content").asText().equals("[unsafe] first"))
                .findFirst()
                .orElseThrow();
        assertThat(asked.path("messages").findValuesAsText("role"))
                .containsExactly("user", "assistant", "user", "assistant");
        assertThat(asked.at("/messages/2/content").asText()).isEqualTo("and now?");
        assertThat(asked.at("/messages/3/content").asText())
                .isEqualTo(answer.at("/choices/0/message/content").asText());
    }

    @Test
    void noVerdictIsCountedUnjudgedNeverSafe() {
        MetricsText before = metrics();
        complete("[slow] a question");
        complete("[garbage] a question");
        complete("[500] a question");
        MetricsText after = afterJudging(before, 3);
        assertThat(outputs(after, "unjudged") - outputs(before, "unjudged")).isEqualTo(3);
        assertThat(outputs(after, "safe") - outputs(before, "safe")).isZero();
        assertThat(outputs(after, "flagged") - outputs(before, "flagged")).isZero();
    }

    /**
     * A classifier that closes a connection as the request arrives (an idle kept-alive one it had just dropped) costs
     * one more try on a new connection, not the verdict; one that keeps doing it is asked twice, then the output is
     * not judged. The fresh-clone CI of 35a705af lost one verdict in 40 this way.
     */
    @Test
    void aConnectionClosedBeforeAnAnswerIsTriedOnceMore() {
        MetricsText before = metrics();
        complete("[drop-once] [unsafe] a question");
        MetricsText after = afterJudging(before, 1);
        assertThat(outputs(after, "flagged") - outputs(before, "flagged")).isEqualTo(1);
        assertThat(outputs(after, "unjudged") - outputs(before, "unjudged")).isZero();

        complete("[drop] a question");
        MetricsText last = afterJudging(after, 1);
        assertThat(outputs(last, "unjudged") - outputs(after, "unjudged")).isEqualTo(1);
        assertThat(outputs(last, "safe") - outputs(after, "safe")).isZero();
        assertThat(asked("[drop-once] [unsafe] a question")).isEqualTo(2);
        assertThat(asked("[drop] a question"))
                .as("tried once more, not again and again")
                .isEqualTo(2);
    }

    private static long asked(String prompt) {
        return StandInClassifier.get().requests().stream()
                .filter(r -> r.at("/messages/0/content").asText().equals(prompt))
                .count();
    }

    @Test
    void outputsBeyondMaxInFlightAreUnjudgedNotQueued() {
        MetricsText before = metrics();
        // each [slow] judgement holds its slot for the 1 s timeout; at most 2 at once
        List<CompletableFuture<JsonNode>> sent = IntStream.range(0, 6)
                .mapToObj(i -> CompletableFuture.supplyAsync(() -> complete("[slow] question " + i)))
                .toList();
        sent.forEach(CompletableFuture::join);
        MetricsText after = afterJudging(before, 6);
        assertThat(outputs(after, "unjudged") - outputs(before, "unjudged")).isEqualTo(6);
        long asked = StandInClassifier.get().requests().stream()
                .filter(r -> r.at("/messages/0/content").asText().startsWith("[slow] question "))
                .count();
        assertThat(asked)
                .as("judgements sent for 6 outputs, at most 2 at a time")
                .isLessThan(6);
    }

    /**
     * Every output of a run of requests gets its verdict. The model's own thread (not an event loop) hands the output
     * to the classifier; the fresh-clone CI of 4fca45fd lost one verdict in 40 to "Response already ended" (the answer
     * of the classifier read before its handlers were set).
     */
    @Test
    void everyOutputOfARunOfRequestsIsJudged() {
        MetricsText first = metrics();
        int n = 60;
        MetricsText last = first;
        for (int i = 0; i < n; i++) {
            // one at a time, each judged before the next: none is refused for want of a slot
            complete("a question " + i);
            last = afterJudging(last, 1);
        }
        assertThat(outputs(last, "unjudged") - outputs(first, "unjudged")).isZero();
        assertThat(outputs(last, "safe") - outputs(first, "safe")).isEqualTo(n);
    }
}
