package dev.fledge.server.api.completion;

import com.fasterxml.jackson.annotation.JsonProperty;

/** The OpenAI-compatible subset Fledge accepts for {@code /v1/completions}; any other field is refused. */
public record CompletionRequest(
        String model,
        String prompt,
        @JsonProperty("max_tokens") Integer maxTokens,
        Double temperature,
        Long seed,
        Boolean stream,
        @JsonProperty("stream_options") StreamOptions streamOptions) {}
