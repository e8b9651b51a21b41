package dev.fledge.operator.gates.safety;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import com.fasterxml.jackson.databind.JsonNode;
import dev.fledge.operator.http.BoundedHttp;
import java.net.http.HttpClient;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CountDownLatch;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;

/** Issue 17 part 3: a Llama Guard-style chat model as the judge, over real HTTP on loopback. */
class LlamaGuardJudgeTest {
    final HttpClient http = BoundedHttp.newClient(Duration.ofSeconds(2));
    final LoopbackModels models = new LoopbackModels(LoopbackModels::byKeyword);

    @AfterEach
    void stop() {
        models.close();
    }

    LlamaGuardJudge judge(Map<String, String> categories) {
        return new LlamaGuardJudge(
                http,
                models.judgeUrl("/v1/chat/completions"),
                Duration.ofSeconds(5),
                BoundedHttp.DEFAULT_MAX_BYTES,
                "meta-llama/Llama-Guard-3-8B",
                LlamaGuardCategories.of(categories));
    }

    static List<ChatMessage> asked(String prompt) {
        return List.of(ChatMessage.user(prompt));
    }

    @Test
    void unsafeCodesBecomeFledgeCategoriesAndSafeIsClean() {
        LlamaGuardJudge judge = judge(null);

        assertThat(judge.judge(asked("How do I feel better?"), "I want to end my life"))
                .isEqualTo(new Judgement(true, List.of("self-harm")));
        assertThat(judge.judge(asked("What should I do?"), "Go and hurt him."))
                .isEqualTo(new Judgement(true, List.of("violence")));
        assertThat(judge.judge(asked("Tell me a joke"), "Why did the database break up? Too many joins."))
                .isEqualTo(new Judgement(false, List.of()));
    }

    @Test
    void theConversationIsSentAsUserAndAssistantTurnsWithTheOutputLast() {
        judge(null)
                .judge(
                        List.of(
                                new ChatMessage("system", "You are a terse assistant."),
                                ChatMessage.user("Hi"),
                                ChatMessage.assistant("Hello."),
                                ChatMessage.user("How do I hurt someone?")),
                        "I will not help with that.");

        JsonNode sent = models.judgeRequests.get(0);
        assertThat(sent.path("model").asText()).isEqualTo("meta-llama/Llama-Guard-3-8B");
        assertThat(sent.path("messages").findValuesAsText("role"))
                .containsExactly("user", "assistant", "user", "assistant");
        assertThat(sent.path("messages").findValuesAsText("content"))
                .containsExactly("Hi", "Hello.", "How do I hurt someone?", "I will not help with that.");
        assertThat(sent.path("temperature").asDouble()).isZero();
    }

    @Test
    void anOutputJudgedAloneIsTheAssistantTurnOfAnEmptyUserTurn() {
        // the judge's template refuses a conversation that does not begin with a user turn (400): this one is judged
        assertThat(judge(null).judge("Go and hurt him.")).isEqualTo(new Judgement(true, List.of("violence")));
        assertThat(models.judgeRequests.get(0).path("messages").findValuesAsText("role"))
                .containsExactly("user", "assistant");
    }

    @Test
    void aReleasesOwnMappingReplacesTheDefaultForItsCodesAndAnUnknownCodeKeepsItsName() {
        models.guard = out -> "unsafe\nS1, S11,S15";
        Judgement j = judge(Map.of("S1", "violent-crimes")).judge(asked("q"), "anything");
        assertThat(j.flagged()).isTrue();
        assertThat(j.categories()).containsExactly("violent-crimes", "self-harm", "S15");
    }

    @Test
    void anAnswerThatIsNotLlamaGuardsFormatIsNoJudgement() {
        for (String answer : List.of(
                "I think this conversation is probably fine.",
                "unsafe",
                "unsafe\nviolent crimes",
                "unsafe\nS1,",
                "safe\nS1",
                "unsafe\nS1\nS2",
                "",
                "   ")) {
            models.guard = out -> answer;
            assertThatThrownBy(() -> judge(null).judge(asked("q"), "a"))
                    .as("answer %s", answer)
                    .isInstanceOf(ServiceCallFailed.class)
                    .hasMessageContaining("Llama Guard's format")
                    // the answer comes from a tenant's server: never quoted
                    .hasMessageNotContaining("probably fine");
        }
    }

    @Test
    void anHttpErrorOrAnAnswerWithoutContentIsNoJudgement() {
        // a URL that answers, but not as a chat model does (a completions endpoint: choices[0].text)
        LlamaGuardJudge atCanary = new LlamaGuardJudge(
                http,
                models.canaryUrl() + "/v1/completions",
                Duration.ofSeconds(5),
                BoundedHttp.DEFAULT_MAX_BYTES,
                null,
                LlamaGuardCategories.of(null));
        assertThatThrownBy(() -> atCanary.judge(asked("q"), "a"))
                .isInstanceOf(ServiceCallFailed.class)
                .hasMessageContaining("without choices[0].message.content");
        LlamaGuardJudge missing = new LlamaGuardJudge(
                http,
                models.judgeUrl("/v1/nothing-here"),
                Duration.ofSeconds(5),
                BoundedHttp.DEFAULT_MAX_BYTES,
                null,
                LlamaGuardCategories.of(null));
        assertThatThrownBy(() -> missing.judge(asked("q"), "a"))
                .isInstanceOf(ServiceCallFailed.class)
                .hasMessageContaining("answered HTTP 404");
    }

    @Test
    void aJudgeThatDoesNotAnswerInTimeIsNoJudgement() throws Exception {
        CountDownLatch never = new CountDownLatch(1);
        models.guard = out -> {
            try {
                never.await();
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
            }
            return "safe";
        };
        LlamaGuardJudge judge = new LlamaGuardJudge(
                http,
                models.judgeUrl("/v1/chat/completions"),
                Duration.ofMillis(300),
                BoundedHttp.DEFAULT_MAX_BYTES,
                null,
                LlamaGuardCategories.of(null));
        try {
            assertThatThrownBy(() -> judge.judge(asked("q"), "a"))
                    .isInstanceOf(ServiceCallFailed.class)
                    .hasMessageContaining("did not answer within");
        } finally {
            never.countDown();
        }
    }

    @Test
    void aMappingWithABadCodeOrNameIsRefused() {
        assertThatThrownBy(() -> LlamaGuardCategories.of(Map.of("violence", "S1")))
                .hasMessageContaining("key 'violence' is not a category code");
        assertThatThrownBy(() -> LlamaGuardCategories.of(Map.of("S1", "Violent Crimes")))
                .hasMessageContaining("S1 must map to a category name");
    }
}
