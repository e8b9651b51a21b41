package dev.fledge.cli;

import java.time.Duration;

/** Duration text: kubectl's short ages ({@code 95s}, {@code 14m}, {@code 3h5m}) and exact Go-style spans ({@code 1m20s}). */
final class Durations {
    private Durations() {}

    /** Like kubectl's AGE column: coarser the older it is. Negative spans (clock skew) read as 0s. */
    static String age(Duration d) {
        long s = Math.max(0, d.getSeconds());
        long m = s / 60;
        long h = m / 60;
        if (s < 120) {
            return s + "s";
        }
        if (m < 10) {
            return s % 60 == 0 ? m + "m" : m + "m" + s % 60 + "s";
        }
        if (h < 3) {
            return m + "m";
        }
        if (h < 8) {
            return m % 60 == 0 ? h + "h" : h + "h" + m % 60 + "m";
        }
        if (h < 48) {
            return h + "h";
        }
        if (h < 24 * 8) {
            return h % 24 == 0 ? h / 24 + "d" : h / 24 + "d" + h % 24 + "h";
        }
        return h / 24 + "d";
    }

    /** Whole seconds, Go style ({@code 45s}, {@code 1m20s}, {@code 30m0s}, {@code 2h0m0s}); under a second reads 0s. */
    static String exact(Duration d) {
        long s = Math.max(0, d.getSeconds());
        if (s < 60) {
            return s + "s";
        }
        if (s < 3600) {
            return s / 60 + "m" + s % 60 + "s";
        }
        return s / 3600 + "h" + s % 3600 / 60 + "m" + s % 60 + "s";
    }
}
