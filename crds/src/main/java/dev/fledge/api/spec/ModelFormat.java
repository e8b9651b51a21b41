package dev.fledge.api.spec;

import com.fasterxml.jackson.annotation.JsonProperty;

/**
 * Stored model formats: only those the built-in model server loads. ONNX and TorchScript were listed once, but the
 * server never loaded them, so a release naming them ended Failed after passing validation.
 */
public enum ModelFormat {
    /** DJL weights with a Fledge descriptor, in a zip archive. */
    @JsonProperty("djl")
    DJL;

    /** The name used in YAML. */
    public String wireName() {
        try {
            return getClass().getField(name()).getAnnotation(JsonProperty.class).value();
        } catch (NoSuchFieldException e) {
            throw new IllegalStateException(e);
        }
    }
}
