package dev.fledge.cli;

import dev.fledge.api.status.Phase;
import dev.fledge.api.status.Verdict;

/** ANSI colours for a terminal; plain text otherwise (pipes, files, --no-color, NO_COLOR). */
final class Style {
    private static final String RESET = "\u001b[0m";
    private final boolean color;

    Style(boolean color) {
        this.color = color;
    }

    String bold(String s) {
        return wrap("1", s);
    }

    String dim(String s) {
        return wrap("2", s);
    }

    String good(String s) {
        return wrap("32", s);
    }

    String bad(String s) {
        return wrap("31", s);
    }

    String warn(String s) {
        return wrap("33", s);
    }

    String active(String s) {
        return wrap("1;36", s);
    }

    String verdict(Verdict v, String text) {
        if (v == null) {
            return text;
        }
        return switch (v) {
            case PASS -> good(text);
            case FAIL -> bad(text);
            case INCONCLUSIVE -> warn(text);
        };
    }

    String phase(Phase p, String text) {
        if (p == null) {
            return text;
        }
        return switch (p) {
            case PROMOTED -> good(text);
            case ROLLED_BACK, FAILED, INVALID -> bad(text);
            case PAUSED, PENDING -> warn(text);
            case PROGRESSING -> active(text);
        };
    }

    /** Visible width of text that may hold colour codes. */
    static int width(String s) {
        return s.replaceAll("\u001b\\[[0-9;]*m", "").length();
    }

    private String wrap(String code, String s) {
        return color && !s.isEmpty() ? "\u001b[" + code + "m" + s + RESET : s;
    }
}
