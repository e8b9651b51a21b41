package dev.fledge.server.metrics;

import java.util.Locale;
import java.util.Optional;

/** A user's rating of a response. */
public enum Rating {
    POSITIVE,
    NEGATIVE;

    public static Optional<Rating> parse(String value) {
        if (value == null) {
            return Optional.empty();
        }
        return switch (value.toLowerCase(Locale.ROOT)) {
            case "positive" -> Optional.of(POSITIVE);
            case "negative" -> Optional.of(NEGATIVE);
            default -> Optional.empty();
        };
    }

    public String label() {
        return name().toLowerCase(Locale.ROOT);
    }
}
