package dev.fledge.api.spec;

import com.fasterxml.jackson.annotation.JsonProperty;

/** Built-in metric queries. */
public enum MetricTemplate {
    /** Share of canary requests with outcome error. */
    @JsonProperty("error-rate")
    ERROR_RATE,
    /** 99th percentile canary request latency, seconds. */
    @JsonProperty("latency-p99")
    LATENCY_P99,
    /** 99th percentile canary time to first token, seconds. */
    @JsonProperty("ttft-p99")
    TTFT_P99,
    /** 99th percentile canary time per output token, seconds. */
    @JsonProperty("tpot-p99")
    TPOT_P99,
    /** Requests waiting in the canary's queue: the mean over the window of its most loaded pod. */
    @JsonProperty("queue-depth")
    QUEUE_DEPTH;

    /** The name used in YAML. */
    public String wireName() {
        try {
            return getClass().getField(name()).getAnnotation(JsonProperty.class).value();
        } catch (NoSuchFieldException e) {
            throw new IllegalStateException(e);
        }
    }
}
