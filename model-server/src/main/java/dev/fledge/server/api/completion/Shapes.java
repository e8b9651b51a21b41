package dev.fledge.server.api.completion;

import dev.fledge.server.api.openai.Endpoint;
import java.util.List;

/** Builds the answer of one generation in the endpoint's own shape, whole or as stream chunks. */
record Shapes(Endpoint endpoint, String id, long created, String model, String version) {

    Object whole(String text, String finishReason, CompletionResponse.Usage usage) {
        if (endpoint == Endpoint.COMPLETIONS) {
            return new CompletionResponse(
                    id,
                    endpoint.object(),
                    created,
                    model,
                    version,
                    List.of(new CompletionResponse.Choice(text, 0, null, finishReason)),
                    usage);
        }
        return new ChatResponse(
                id,
                endpoint.object(),
                created,
                model,
                version,
                List.of(new ChatResponse.Choice(0, new ChatResponse.Message("assistant", text), null, finishReason)),
                usage);
    }

    /** The first chunk: chat announces the assistant's role; completions have none. */
    Object opening() {
        return endpoint == Endpoint.CHAT ? chat(new ChatResponse.Delta("assistant", ""), null) : null;
    }

    Object piece(String text) {
        return endpoint == Endpoint.COMPLETIONS
                ? completion(text, null)
                : chat(new ChatResponse.Delta(null, text), null);
    }

    Object finish(String finishReason) {
        return endpoint == Endpoint.COMPLETIONS
                ? completion("", finishReason)
                : chat(new ChatResponse.Delta(null, null), finishReason);
    }

    /** The last chunk with {@code stream_options.include_usage}: no choices, the usage. */
    Object usage(CompletionResponse.Usage usage) {
        return endpoint == Endpoint.COMPLETIONS
                ? new CompletionResponse(id, endpoint.chunkObject(), created, model, version, List.of(), usage)
                : new ChatResponse.Chunk(id, endpoint.chunkObject(), created, model, version, List.of(), usage);
    }

    private Object completion(String text, String finishReason) {
        return new CompletionResponse(
                id,
                endpoint.chunkObject(),
                created,
                model,
                version,
                List.of(new CompletionResponse.Choice(text, 0, null, finishReason)),
                null);
    }

    private Object chat(ChatResponse.Delta delta, String finishReason) {
        return new ChatResponse.Chunk(
                id,
                endpoint.chunkObject(),
                created,
                model,
                version,
                List.of(new ChatResponse.ChunkChoice(0, delta, null, finishReason)),
                null);
    }
}
