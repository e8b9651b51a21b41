package dev.fledge.server.api.completion;

import com.fasterxml.jackson.annotation.JsonInclude;
import java.util.List;

/** OpenAI-compatible chat completion ({@code object: chat.completion}). */
public record ChatResponse(
        String id,
        String object,
        long created,
        String model,
        String system_fingerprint,
        List<Choice> choices,
        CompletionResponse.Usage usage) {

    public record Choice(int index, Message message, Object logprobs, String finish_reason) {}

    public record Message(String role, String content) {}

    /** One streamed chunk ({@code object: chat.completion.chunk}); the usage only in the last one, if asked for. */
    public record Chunk(
            String id,
            String object,
            long created,
            String model,
            String system_fingerprint,
            List<ChunkChoice> choices,
            @JsonInclude(JsonInclude.Include.NON_NULL) CompletionResponse.Usage usage) {}

    public record ChunkChoice(int index, Delta delta, Object logprobs, String finish_reason) {}

    /** The role comes in the first chunk only, the content in the others. */
    @JsonInclude(JsonInclude.Include.NON_NULL)
    public record Delta(String role, String content) {}
}
