package dev.fledge.api.spec;

import com.fasterxml.jackson.annotation.JsonProperty;

/** The rollout events a webhook can receive; the names are those of the Kubernetes Events the operator records. */
public enum NotificationEvent {
    /** A new version starts its rollout. */
    @JsonProperty("RolloutStarted")
    ROLLOUT_STARTED,
    /** The canary enters a stage (internal, closed, public). */
    @JsonProperty("StageStarted")
    STAGE_STARTED,
    /** The public canary weight moves to its next step. */
    @JsonProperty("StepAdvanced")
    STEP_ADVANCED,
    /** The canary was rolled back (failed gate, deadline or abort). */
    @JsonProperty("RolledBack")
    ROLLED_BACK,
    /** The canary became the stable version. */
    @JsonProperty("Promoted")
    PROMOTED;

    /** The name used in YAML and in payloads. */
    public String wireName() {
        try {
            return getClass().getField(name()).getAnnotation(JsonProperty.class).value();
        } catch (NoSuchFieldException e) {
            throw new IllegalStateException(e);
        }
    }
}
