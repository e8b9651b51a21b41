package dev.fledge.operator.notify;

import java.util.Arrays;

/**
 * The one reading rule for both webhook signing keys (a release's {@code signingSecret} and the operator-wide
 * {@code fledge.notifications.signing-key}): the key is the bytes of the Secret value with leading and trailing
 * spaces, tabs, carriage returns and newlines removed (a value written by {@code echo} or a text editor ends with a
 * newline), and at least {@value #MIN_BYTES} bytes must remain. A shorter key is refused, and a payload that should
 * be signed and cannot be is never sent.
 */
public final class SigningKey {
    /** Fewest bytes of an HMAC-SHA256 key: the hash's own size (RFC 2104 section 3). */
    public static final int MIN_BYTES = 32;

    private SigningKey() {}

    /**
     * @param raw    the value as stored
     * @param source where it came from, for the message
     * @throws IllegalArgumentException naming the source and the lengths, never the key
     */
    public static byte[] read(byte[] raw, String source) {
        int from = 0;
        int to = raw.length;
        while (from < to && blank(raw[from])) {
            from++;
        }
        while (to > from && blank(raw[to - 1])) {
            to--;
        }
        if (to - from < MIN_BYTES) {
            throw new IllegalArgumentException("the signing key in " + source + " is " + (to - from)
                    + " bytes long (without surrounding whitespace); at least " + MIN_BYTES + " are required");
        }
        return Arrays.copyOfRange(raw, from, to);
    }

    private static boolean blank(byte b) {
        return b == ' ' || b == '\t' || b == '\r' || b == '\n';
    }
}
