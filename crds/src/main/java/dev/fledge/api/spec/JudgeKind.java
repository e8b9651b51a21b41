package dev.fledge.api.spec;

import com.fasterxml.jackson.annotation.JsonProperty;

/** How the safety gate's judge is asked. */
public enum JudgeKind {
    /** An OpenAI-compatible {@code /v1/moderations} endpoint. */
    @JsonProperty("moderation")
    MODERATION,
    /** A Llama Guard-style chat model on an OpenAI-compatible {@code /v1/chat/completions} endpoint. */
    @JsonProperty("llamaGuard")
    LLAMA_GUARD;

    /** The name used in YAML. */
    public String wireName() {
        try {
            return getClass().getField(name()).getAnnotation(JsonProperty.class).value();
        } catch (NoSuchFieldException e) {
            throw new IllegalStateException(e);
        }
    }
}
