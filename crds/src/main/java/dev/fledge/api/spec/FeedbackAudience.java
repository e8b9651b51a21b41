package dev.fledge.api.spec;

import com.fasterxml.jackson.annotation.JsonProperty;
import java.util.Locale;

/** An audience whose feedback the feedback gate may count (the model server's {@code audience} label). */
public enum FeedbackAudience {
    @JsonProperty("internal")
    INTERNAL,
    @JsonProperty("closed")
    CLOSED,
    @JsonProperty("public")
    PUBLIC;

    /** The name used in YAML and in the model server's metrics. */
    public String wireName() {
        return name().toLowerCase(Locale.ROOT);
    }
}
