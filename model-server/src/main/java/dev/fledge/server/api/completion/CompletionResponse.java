package dev.fledge.server.api.completion;

import com.fasterxml.jackson.annotation.JsonInclude;
import java.util.List;

/**
 * OpenAI-compatible completion, and (with {@code usage} left out) a streamed chunk of one. {@code finish_reason} is
 * {@code length}, or {@code content_filter} when the guard blocked the output; {@code null} in a chunk that is not
 * the last. {@code system_fingerprint} carries the model version.
 */
public record CompletionResponse(
        String id,
        String object,
        long created,
        String model,
        String system_fingerprint,
        List<Choice> choices,
        @JsonInclude(JsonInclude.Include.NON_NULL) Usage usage) {

    public record Choice(String text, int index, Object logprobs, String finish_reason) {}

    public record Usage(int prompt_tokens, int completion_tokens, int total_tokens) {}
}
