package dev.fledge.api.spec;

import com.fasterxml.jackson.annotation.JsonProperty;

/** The body of a webhook notification. */
public enum NotificationFormat {
    /** Fledge's own JSON document (release, event, stages, versions, gates). */
    @JsonProperty("generic")
    GENERIC,
    /** A Slack incoming-webhook message: {@code text} and {@code blocks}. */
    @JsonProperty("slack")
    SLACK;

    /** The name used in YAML. */
    public String wireName() {
        try {
            return getClass().getField(name()).getAnnotation(JsonProperty.class).value();
        } catch (NoSuchFieldException e) {
            throw new IllegalStateException(e);
        }
    }
}
