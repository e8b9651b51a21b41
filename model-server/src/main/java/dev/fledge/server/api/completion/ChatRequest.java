package dev.fledge.server.api.completion;

import com.fasterxml.jackson.annotation.JsonProperty;
import java.util.List;

/** The OpenAI-compatible subset Fledge accepts for {@code /v1/chat/completions}; any other field is refused. */
public record ChatRequest(
        String model,
        List<Message> messages,
        @JsonProperty("max_tokens") Integer maxTokens,
        @JsonProperty("max_completion_tokens") Integer maxCompletionTokens,
        Double temperature,
        Long seed,
        Boolean stream,
        @JsonProperty("stream_options") StreamOptions streamOptions) {

    /** One chat message; {@code content} is text. */
    public record Message(String role, String content, String name) {}
}
