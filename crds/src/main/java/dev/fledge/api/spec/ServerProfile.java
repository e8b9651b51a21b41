package dev.fledge.api.spec;

import com.fasterxml.jackson.annotation.JsonProperty;

/**
 * Which model server's metrics the built-in metric templates read (docs/servers.md). The operator maps every template
 * to the server's own metric names; a template the server has no metric for is refused.
 */
public enum ServerProfile {
    /** Fledge's model server (DJL mode), or any server behind the Fledge proxy: the fledge_model_* series. */
    @JsonProperty("fledge")
    FLEDGE,
    /** vLLM's OpenAI-compatible server: the vllm:* series and its http_requests_total. */
    @JsonProperty("vllm")
    VLLM,
    /** Hugging Face Text Generation Inference: the tgi_* series. */
    @JsonProperty("tgi")
    TGI,
    /** NVIDIA NIM for LLMs: its unprefixed request and latency series. */
    @JsonProperty("nim")
    NIM,
    /** NVIDIA Triton Inference Server: the nv_inference_* series. */
    @JsonProperty("triton")
    TRITON,
    /** Any other OpenAI-compatible server, measured by the Fledge proxy in front of it (fledge_model_*). */
    @JsonProperty("openai")
    OPENAI;

    /** The name used in YAML. */
    public String wireName() {
        try {
            return getClass().getField(name()).getAnnotation(JsonProperty.class).value();
        } catch (NoSuchFieldException e) {
            throw new IllegalStateException(e);
        }
    }
}
