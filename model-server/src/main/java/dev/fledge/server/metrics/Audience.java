package dev.fledge.server.metrics;

import java.util.Locale;

/**
 * The {@code X-Fledge-Audience} header set by the gateway; anything missing or unknown counts as public.
 * {@code evaluation} is the operator's own safety-suite traffic, sent to the track Services directly: it is counted
 * apart and no live gate reads it. The header is trusted as far as the network path is: the public Gateway rule
 * removes it, so no caller of the public route can claim an audience, but any pod that reaches the track Services
 * directly ({@code <release>-canary.<ns>.svc}) can send any value, unless a NetworkPolicy admits only the Gateway,
 * the operator and Prometheus (docs/security.md, "The audience boundary").
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
