package dev.fledge.server.metrics;

import java.util.Locale;

/** The {@code X-Fledge-Audience} header set by the gateway; anything missing or unknown counts as public. */
public enum Audience {
    INTERNAL,
    CLOSED,
    PUBLIC;

    public static final String HEADER = "X-Fledge-Audience";

    public static Audience fromHeader(String value) {
        if (value == null) {
            return PUBLIC;
        }
        return switch (value.trim().toLowerCase(Locale.ROOT)) {
            case "internal" -> INTERNAL;
            case "closed" -> CLOSED;
            default -> PUBLIC;
        };
    }

    public String label() {
        return name().toLowerCase(Locale.ROOT);
    }
}
