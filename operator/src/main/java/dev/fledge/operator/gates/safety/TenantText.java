package dev.fledge.operator.gates.safety;

/**
 * A tenant's text (a suite entry's id or role, a mapping's key) as an error names it: at most {@link #MAX} characters,
 * on one line, so that a reason written to status and Events stays small whatever the release holds.
 */
final class TenantText {
    static final int MAX = 64;

    private TenantText() {}

    static String cut(String s) {
        if (s == null) {
            return "null";
        }
        String one = s.replaceAll("\\s+", " ");
        return one.length() <= MAX ? one : one.substring(0, MAX) + "...";
    }
}
