package dev.fledge.api.spec;

import com.fasterxml.jackson.annotation.JsonProperty;

/** What the Gateway does while a pool's endpoint picker does not answer (the InferencePool's own field). */
public enum InferencePoolFailureMode {
    /** Requests fail: no pod is chosen without the picker (the Inference Extension's default). */
    @JsonProperty("FailClose")
    FAIL_CLOSE,
    /** The Gateway picks a pod of the pool itself. */
    @JsonProperty("FailOpen")
    FAIL_OPEN;

    /** The name used in YAML and in the InferencePool. */
    public String wireName() {
        try {
            return getClass().getField(name()).getAnnotation(JsonProperty.class).value();
        } catch (NoSuchFieldException e) {
            throw new IllegalStateException(e);
        }
    }
}
