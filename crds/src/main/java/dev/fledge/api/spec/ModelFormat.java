package dev.fledge.api.spec;

import com.fasterxml.jackson.annotation.JsonProperty;

/** Stored model formats. */
public enum ModelFormat {
    /** DJL weights with a Fledge descriptor. */
    @JsonProperty("djl")
    DJL,
    /** A TorchScript archive. */
    @JsonProperty("torchscript")
    TORCHSCRIPT,
    /** An ONNX graph. */
    @JsonProperty("onnx")
    ONNX;

    /** The name used in YAML. */
    public String wireName() {
        try {
            return getClass().getField(name()).getAnnotation(JsonProperty.class).value();
        } catch (NoSuchFieldException e) {
            throw new IllegalStateException(e);
        }
    }
}
