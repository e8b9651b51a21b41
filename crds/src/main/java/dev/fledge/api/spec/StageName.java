package dev.fledge.api.spec;

import com.fasterxml.jackson.annotation.JsonProperty;

/** Stage names, in rollout order. */
public enum StageName {
    /** Internal users (audience internal). */
    @JsonProperty("internal")
    INTERNAL,
    /** A closed group of trusted users (audience closed). */
    @JsonProperty("closed")
    CLOSED,
    /** Everybody else, by weight steps. */
    @JsonProperty("public")
    PUBLIC;

    /** The name used in YAML. */
    public String wireName() {
        try {
            return getClass().getField(name()).getAnnotation(JsonProperty.class).value();
        } catch (NoSuchFieldException e) {
            throw new IllegalStateException(e);
        }
    }
}
