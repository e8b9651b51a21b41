package dev.fledge.api.spec;

import com.fasterxml.jackson.annotation.JsonProperty;

/** Traffic routers. */
public enum Router {
    /** Gateway API HTTPRoute. */
    @JsonProperty("gatewayAPI")
    GATEWAY_API,
    /** Services and replica counts. */
    @JsonProperty("replicas")
    REPLICAS;

    /** The name used in YAML. */
    public String wireName() {
        try {
            return getClass().getField(name()).getAnnotation(JsonProperty.class).value();
        } catch (NoSuchFieldException e) {
            throw new IllegalStateException(e);
        }
    }
}
