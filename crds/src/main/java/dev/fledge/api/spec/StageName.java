package dev.fledge.api.spec;

import com.fasterxml.jackson.annotation.JsonProperty;

/** Stage names, in rollout order. */
public enum StageName {
    /**
     * Opt-in, gatewayAPI router only: no user sees the canary's outputs; the HTTPRoute mirrors a share of live
     * requests to it, and its outputs to them are judged.
     */
    @JsonProperty("shadow")
    SHADOW,
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
