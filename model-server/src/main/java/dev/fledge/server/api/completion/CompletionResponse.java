package dev.fledge.server.api.completion;

import java.util.List;

/**
 * OpenAI-compatible completion. {@code finish_reason} is {@code length}, or {@code content_filter} when the
 * guard blocked the output. {@code system_fingerprint} carries the model version.
 */
public record CompletionResponse(String id, String object, long created, String model,
        String system_fingerprint, List<Choice> choices, Usage usage) {

    public record Choice(String text, int index, Object logprobs, String finish_reason) {
    }

    public record Usage(int prompt_tokens, int completion_tokens, int total_tokens) {
    }
}
