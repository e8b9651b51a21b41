package dev.fledge.api.status;

import com.fasterxml.jackson.annotation.JsonProperty;

/** Rollout phases. */
public enum Phase {
    /** Waiting for the canary to be ready, or for the first reconcile. */
    @JsonProperty("Pending")
    PENDING,
    /** A rollout is running. */
    @JsonProperty("Progressing")
    PROGRESSING,
    /** spec.paused holds the rollout. */
    @JsonProperty("Paused")
    PAUSED,
    /** The desired version is stable and serves everybody. */
    @JsonProperty("Promoted")
    PROMOTED,
    /** A gate failed, the deadline passed or abort was asked: all traffic is on stable. */
    @JsonProperty("RolledBack")
    ROLLED_BACK,
    /** The release cannot make progress (e.g. the first version was rolled back and there is no stable). */
    @JsonProperty("Failed")
    FAILED,
    /** The spec is invalid; see the InvalidSpec condition. */
    @JsonProperty("Invalid")
    INVALID;

    /** The name used in YAML. */
    public String wireName() {
        try {
            return getClass().getField(name()).getAnnotation(JsonProperty.class).value();
        } catch (NoSuchFieldException e) {
            throw new IllegalStateException(e);
        }
    }
}
