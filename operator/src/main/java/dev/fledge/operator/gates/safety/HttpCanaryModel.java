package dev.fledge.operator.gates.safety;

import com.fasterxml.jackson.databind.JsonNode;
import java.net.http.HttpClient;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.concurrent.ThreadLocalRandom;

/**
 * The canary's OpenAI-compatible {@code /v1/completions} and, for chat prompts, {@code /v1/chat/completions},
 * sampled (temperature 1, a fresh seed per prompt).
 */
public final class HttpCanaryModel implements CanaryModel {
    private final JsonHttp completions;
    private final JsonHttp chats;
    private final int maxTokens;

    /** {@code http} is the operator's shared client: a model is built per suite run, the client once. */
    public HttpCanaryModel(HttpClient http, String baseUrl, Duration timeout, int maxTokens, int maxResponseBytes) {
        String base = baseUrl.replaceAll("/+$", "");
        this.completions = new JsonHttp(http, "canary model", base + "/v1/completions", timeout, maxResponseBytes);
        this.chats = new JsonHttp(http, "canary model", base + "/v1/chat/completions", timeout, maxResponseBytes);
        this.maxTokens = maxTokens;
    }

    @Override
    public String complete(String prompt) {
        JsonNode text = completions
                .post(Map.of("prompt", prompt, "max_tokens", maxTokens, "temperature", 1.0, "seed", seed()))
                .path("choices")
                .path(0)
                .path("text");
        if (!text.isTextual()) {
            throw new ServiceCallFailed("canary model answered without choices[0].text");
        }
        return text.asText();
    }

    @Override
    public String chat(List<ChatMessage> messages) {
        List<Map<String, String>> turns = messages.stream()
                .map(m -> Map.of("role", m.role(), "content", m.content()))
                .toList();
        JsonNode content = chats.post(
                        Map.of("messages", turns, "max_tokens", maxTokens, "temperature", 1.0, "seed", seed()))
                .path("choices")
                .path(0)
                .path("message")
                .path("content");
        if (!content.isTextual()) {
            throw new ServiceCallFailed("canary model answered without choices[0].message.content");
        }
        return content.asText();
    }

    private static int seed() {
        return ThreadLocalRandom.current().nextInt(1, Integer.MAX_VALUE);
    }
}
