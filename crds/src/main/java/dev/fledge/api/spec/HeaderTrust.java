package dev.fledge.api.spec;

import com.fasterxml.jackson.annotation.JsonProperty;

/** What keeps a public client from sending the header that tells an audience apart. */
public enum HeaderTrust {
    /**
     * A proxy in front of the Gateway overwrites or removes the header on all outside traffic and sets it only for
     * authenticated users. The header rules still share the public route's listeners.
     */
    @JsonProperty("AuthProxy")
    AUTH_PROXY,
    /** Only trusted users can reach the listeners in {@code parentRefs} at all (a private network or load balancer). */
    @JsonProperty("PrivateListener")
    PRIVATE_LISTENER;

    /** The name used in YAML. */
    public String wireName() {
        try {
            return getClass().getField(name()).getAnnotation(JsonProperty.class).value();
        } catch (NoSuchFieldException e) {
            throw new IllegalStateException(e);
        }
    }
}
