package dev.fledge.api.status;

import com.fasterxml.jackson.annotation.JsonProperty;

/** Gate verdicts. */
public enum Verdict {
    /** The evidence says the canary is good. */
    @JsonProperty("Pass")
    PASS,
    /** The evidence says the canary is bad. */
    @JsonProperty("Fail")
    FAIL,
    /** Not enough or no usable evidence: the stage is held, never promoted. */
    @JsonProperty("Inconclusive")
    INCONCLUSIVE;

    /** The name used in YAML. */
    public String wireName() {
        try {
            return getClass().getField(name()).getAnnotation(JsonProperty.class).value();
        } catch (NoSuchFieldException e) {
            throw new IllegalStateException(e);
        }
    }
}
