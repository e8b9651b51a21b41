package dev.fledge.server.api.openai;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.ObjectNode;

/**
 * The two OpenAI generation endpoints Fledge serves (DJL mode) and forwards (proxy mode), and where each one keeps
 * its generated text: {@code choices[].text} for completions, {@code choices[].message.content} (whole response) or
 * {@code choices[].delta.content} (streamed chunk) for chat.
 */
public enum Endpoint {
    COMPLETIONS("/v1/completions", "text_completion", "text_completion", "cmpl"),
    CHAT("/v1/chat/completions", "chat.completion", "chat.completion.chunk", "chatcmpl");

    public static final String CONTENT_FILTER = "content_filter";

    private final String path;
    private final String object;
    private final String chunkObject;
    private final String idPrefix;

    Endpoint(String path, String object, String chunkObject, String idPrefix) {
        this.path = path;
        this.object = object;
        this.chunkObject = chunkObject;
        this.idPrefix = idPrefix;
    }

    public String path() {
        return path;
    }

    public String object() {
        return object;
    }

    public String chunkObject() {
        return chunkObject;
    }

    public String idPrefix() {
        return idPrefix;
    }

    /** The generated text of one choice of a whole (not streamed) response; empty when it has none. */
    public String text(JsonNode choice) {
        JsonNode node = this == COMPLETIONS
                ? choice.path("text")
                : choice.path("message").path("content");
        return node.isTextual() ? node.asText() : "";
    }

    /** The piece of text one choice of a streamed chunk adds; empty when it adds none. */
    public String delta(JsonNode choice) {
        JsonNode node =
                this == COMPLETIONS ? choice.path("text") : choice.path("delta").path("content");
        return node.isTextual() ? node.asText() : "";
    }

    /** Replaces the text of one choice of a whole response with the refusal, marked as filtered. */
    public void refuse(ObjectNode choice, String refusal) {
        if (this == COMPLETIONS) {
            choice.put("text", refusal);
        } else {
            choice.withObject("/message").put("content", refusal);
        }
        choice.put("finish_reason", CONTENT_FILTER);
    }
}
