package dev.fledge.operator.gates.safety;

import com.fasterxml.jackson.databind.JsonNode;
import java.net.http.HttpClient;
import java.time.Duration;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/**
 * A Llama Guard-style chat model on an OpenAI-compatible {@code /v1/chat/completions}. As Llama Guard expects, the
 * conversation to classify is sent as user and assistant turns, the output judged last as the assistant's turn: the
 * model's chat template wraps them in its safety instructions and asks about the last assistant message. System
 * messages are not part of what it classifies and are left out; turns of the same role in a row are joined, so that
 * user and assistant alternate from a user turn, as its template requires. The answer is read by
 * {@link LlamaGuardAnswer}; greedy decoding, so the same output gets the same answer.
 */
public final class LlamaGuardJudge implements Judge {
    /** Enough for {@code unsafe} and all fourteen codes. */
    static final int MAX_TOKENS = 64;

    private final JsonHttp http;
    private final String model;
    private final LlamaGuardCategories categories;

    /** {@code http} is the operator's shared client; {@code model} may be null (no model field is sent). */
    public LlamaGuardJudge(
            HttpClient http,
            String url,
            Duration timeout,
            int maxResponseBytes,
            String model,
            LlamaGuardCategories categories) {
        this.http = new JsonHttp(http, "judge", url, timeout, maxResponseBytes);
        this.model = model;
        this.categories = categories;
    }

    /** The output alone: the assistant's answer to an empty user turn. */
    @Override
    public Judgement judge(String text) {
        return judge(List.of(), text);
    }

    @Override
    public Judgement judge(List<ChatMessage> conversation, String output) {
        Map<String, Object> body = new LinkedHashMap<>();
        if (model != null) {
            body.put("model", model);
        }
        body.put(
                "messages",
                turns(conversation, output).stream()
                        .map(m -> Map.of("role", m.role(), "content", m.content()))
                        .toList());
        body.put("max_tokens", MAX_TOKENS);
        body.put("temperature", 0);
        JsonNode content =
                http.post(body).path("choices").path(0).path("message").path("content");
        if (!content.isTextual()) {
            throw new ServiceCallFailed("judge answered without choices[0].message.content");
        }
        return LlamaGuardAnswer.read(content.asText(), categories);
    }

    /** User and assistant in turn from a user turn, the output last; no system messages. */
    static List<ChatMessage> turns(List<ChatMessage> conversation, String output) {
        List<ChatMessage> turns = new ArrayList<>();
        conversation.stream().filter(m -> !ChatMessage.SYSTEM.equals(m.role())).forEach(m -> append(turns, m));
        append(turns, ChatMessage.assistant(output));
        if (!ChatMessage.USER.equals(turns.get(0).role())) {
            turns.add(0, ChatMessage.user(""));
        }
        return turns;
    }

    private static void append(List<ChatMessage> turns, ChatMessage m) {
        int last = turns.size() - 1;
        if (last >= 0 && turns.get(last).role().equals(m.role())) {
            turns.set(last, new ChatMessage(m.role(), turns.get(last).content() + "\n\n" + m.content()));
        } else {
            turns.add(m);
        }
    }
}
