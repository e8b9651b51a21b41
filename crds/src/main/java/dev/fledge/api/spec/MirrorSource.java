package dev.fledge.api.spec;

import com.fasterxml.jackson.annotation.JsonProperty;
import java.util.Locale;

/** An audience whose live requests the shadow stage mirrors to the canary. */
public enum MirrorSource {
    @JsonProperty("public")
    PUBLIC,
    @JsonProperty("internal")
    INTERNAL;

    /** The name used in YAML, in status and in the model server's {@code audience} label. */
    public String wireName() {
        return name().toLowerCase(Locale.ROOT);
    }
}
