package dev.fledge.server.api.completion;

import dev.fledge.server.api.ApiException;
import java.util.List;

/** A completion or chat request reduced to what generation needs; the prompt is checked when it is asked for. */
record Prompted(
        String model,
        String text,
        List<ChatRequest.Message> messages,
        Integer maxTokens,
        Double temperature,
        Long seed,
        boolean stream,
        boolean includeUsage) {

    static Prompted of(CompletionRequest r) {
        return new Prompted(
                r.model(),
                r.prompt(),
                null,
                r.maxTokens(),
                r.temperature(),
                r.seed(),
                Boolean.TRUE.equals(r.stream()),
                StreamOptions.usage(r.streamOptions()));
    }

    static Prompted of(ChatRequest r) {
        if (r.maxTokens() != null && r.maxCompletionTokens() != null) {
            throw ApiException.invalid("give max_tokens or max_completion_tokens, not both");
        }
        Integer max = r.maxCompletionTokens() != null ? r.maxCompletionTokens() : r.maxTokens();
        return new Prompted(
                r.model(),
                null,
                r.messages() == null ? List.of() : r.messages(),
                max,
                r.temperature(),
                r.seed(),
                Boolean.TRUE.equals(r.stream()),
                StreamOptions.usage(r.streamOptions()));
    }

    String prompt(ChatTemplate template) {
        if (messages != null) {
            return template.prompt(messages);
        }
        if (text == null) {
            throw ApiException.invalid("field 'prompt' is required");
        }
        return text;
    }
}
