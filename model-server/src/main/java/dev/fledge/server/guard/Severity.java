package dev.fledge.server.guard;

import com.fasterxml.jackson.annotation.JsonCreator;
import java.util.Locale;

/** How bad a category is; the operator decides what to do with it (e.g. critical categories roll back at once). */
public enum Severity {
    LOW,
    MEDIUM,
    HIGH,
    CRITICAL;

    @JsonCreator
    public static Severity parse(String value) {
        return valueOf(value.trim().toUpperCase(Locale.ROOT));
    }

    public String label() {
        return name().toLowerCase(Locale.ROOT);
    }
}
