package dev.fledge.server.metrics;

import java.util.Locale;

/**
 * The {@code X-Fledge-Audience} header set by the gateway; anything missing or unknown counts as public.
 * {@code evaluation} is the operator's own safety-suite traffic, sent to the track Services directly (the public
 * Gateway rule removes the header, so no user can claim it): it is counted apart and no live gate reads it.
 */
public enum Audience {
    INTERNAL,
    CLOSED,
    PUBLIC,
    EVALUATION;

    public static final String HEADER = "X-Fledge-Audience";

    public static Audience fromHeader(String value) {
        if (value == null) {
            return PUBLIC;
        }
        return switch (value.trim().toLowerCase(Locale.ROOT)) {
            case "internal" -> INTERNAL;
            case "closed" -> CLOSED;
            case "evaluation" -> EVALUATION;
            default -> PUBLIC;
        };
    }

    /**
     * The less trusted of two audiences (public below closed below internal): a rating counts as internal only
     * when the response went to an internal user <em>and</em> the rating came through the internal route.
     */
    public static Audience leastTrusted(Audience a, Audience b) {
        return a.ordinal() >= b.ordinal() ? a : b;
    }

    public String label() {
        return name().toLowerCase(Locale.ROOT);
    }
}
