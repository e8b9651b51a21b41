package dev.fledge.operator.gates.safety;

/**
 * A tenant's text (a suite entry's id or role, a mapping's key; a prompt or an output in a flagged example) as status
 * and Events name it: on one line, at most {@link #MAX} characters (or a caller's bound), so that what is written
 * stays small whatever the release holds or the canary answers.
 */
final class TenantText {
    static final int MAX = 64;

    private TenantText() {}

    static String cut(String s) {
        return s == null ? "null" : cut(s, MAX);
    }

    /** {@code s} on one line (each run of whitespace one space), cut to {@code max} characters and "...". */
    static String cut(String s, int max) {
        String one = s.replaceAll("\\s+", " ");
        return one.length() <= max ? one : one.substring(0, max) + "...";
    }
}
