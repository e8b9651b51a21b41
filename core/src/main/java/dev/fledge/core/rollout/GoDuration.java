package dev.fledge.core.rollout;

import java.time.Duration;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/** Parses the Go-style durations the CRD accepts ({@code 90s}, {@code 1h30m}, {@code 250ms}). */
public final class GoDuration {
    private static final Pattern WHOLE = Pattern.compile("^([0-9]+(\\.[0-9]+)?(ms|s|m|h))+$");
    private static final Pattern PART = Pattern.compile("([0-9]+(?:\\.[0-9]+)?)(ms|s|m|h)");

    private GoDuration() {}

    public static Duration parse(String text) {
        if (text == null || !WHOLE.matcher(text).matches()) {
            throw new IllegalArgumentException("not a duration (e.g. 90s, 10m, 1h30m): " + text);
        }
        double millis = 0;
        Matcher m = PART.matcher(text);
        while (m.find()) {
            double v = Double.parseDouble(m.group(1));
            millis += switch (m.group(2)) {
                case "ms" -> v;
                case "s" -> v * 1_000;
                case "m" -> v * 60_000;
                default -> v * 3_600_000;
            };
        }
        return Duration.ofMillis(Math.round(millis));
    }

    public static Duration parseOr(String text, Duration fallback) {
        return text == null ? fallback : parse(text);
    }
}
