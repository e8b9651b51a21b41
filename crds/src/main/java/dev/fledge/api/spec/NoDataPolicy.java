package dev.fledge.api.spec;

import com.fasterxml.jackson.annotation.JsonProperty;

/** What a metric gate says when its query has no data. */
public enum NoDataPolicy {
    /** Hold the stage. */
    @JsonProperty("inconclusive")
    INCONCLUSIVE,
    /** Count a failed check. */
    @JsonProperty("fail")
    FAIL;

    /** The name used in YAML. */
    public String wireName() {
        try {
            return getClass().getField(name()).getAnnotation(JsonProperty.class).value();
        } catch (NoSuchFieldException e) {
            throw new IllegalStateException(e);
        }
    }
}
