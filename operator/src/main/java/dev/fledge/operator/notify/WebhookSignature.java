package dev.fledge.operator.notify;

import java.net.URI;
import java.nio.charset.StandardCharsets;
import java.security.GeneralSecurityException;
import java.time.Instant;
import java.util.HexFormat;
import java.util.LinkedHashMap;
import java.util.Locale;
import java.util.Map;
import javax.crypto.Mac;
import javax.crypto.spec.SecretKeySpec;

/**
 * The HMAC-SHA256 signature of a webhook payload, sent as headers so that a receiver can check that the operator
 * sent it and that it is fresh:
 *
 * <ul>
 * <li>{@value #TIMESTAMP}: the Unix time of this attempt, in seconds;</li>
 * <li>{@value #DELIVERY}: one id per notification and webhook, the same on every retry;</li>
 * <li>{@value #SIGNATURE}: {@code sha256=} and the lower-case hex of {@code HMAC-SHA256(key, timestamp + "." +
 * deliveryId + "." + receiver + "." + body)}, where {@code receiver} is the URL the payload is sent to,
 * {@link #receiver canonical}: {@code scheme://host[:port]/path}.</li>
 * </ul>
 *
 * The timestamp, the delivery id and the receiver are signed with the body, so a captured delivery cannot be replayed
 * with a fresh id or time, nor at another receiver that shares the key (the operator-wide key signs for every
 * receiver of the operator-wide webhook, a release's key for each of its webhooks). A receiver recomputes the HMAC
 * over the two headers, its own URL as configured and the raw body, compares in constant time, refuses a timestamp
 * more than five minutes from its clock, and drops a delivery id it has seen in that window.
 */
public final class WebhookSignature {
    public static final String TIMESTAMP = "X-Fledge-Timestamp";
    public static final String DELIVERY = "X-Fledge-Delivery";
    public static final String SIGNATURE = "X-Fledge-Signature";

    private WebhookSignature() {}

    public static Map<String, String> headers(byte[] key, String deliveryId, URI receiver, String body, Instant now) {
        String timestamp = Long.toString(now.getEpochSecond());
        Map<String, String> headers = new LinkedHashMap<>();
        headers.put(TIMESTAMP, timestamp);
        headers.put(DELIVERY, deliveryId);
        headers.put(SIGNATURE, "sha256=" + hmac(key, signedContent(timestamp, deliveryId, receiver(receiver), body)));
        return headers;
    }

    /** What the HMAC covers: {@code timestamp + "." + deliveryId + "." + receiver + "." + body}. */
    static String signedContent(String timestamp, String deliveryId, String receiver, String body) {
        return timestamp + "." + deliveryId + "." + receiver + "." + body;
    }

    /**
     * The receiver as signed: {@code scheme://host[:port]path} of the URL the payload is sent to, scheme and host in
     * lower case, the port only when the URL names one other than the scheme's default (80 for http, 443 for https),
     * the path as written (percent-encoding kept; {@code /} when empty); never user info, query or fragment.
     */
    static String receiver(URI url) {
        String scheme = url.getScheme() == null ? "" : url.getScheme().toLowerCase(Locale.ROOT);
        String host = url.getHost() == null ? "" : url.getHost().toLowerCase(Locale.ROOT);
        int port = url.getPort();
        boolean defaultPort =
                port == -1 || ("http".equals(scheme) && port == 80) || ("https".equals(scheme) && port == 443);
        String path = url.getRawPath() == null || url.getRawPath().isEmpty() ? "/" : url.getRawPath();
        return scheme + "://" + host + (defaultPort ? "" : ":" + port) + path;
    }

    static String hmac(byte[] key, String signed) {
        if (key.length == 0) {
            throw new IllegalArgumentException("the webhook signing key is empty");
        }
        try {
            Mac mac = Mac.getInstance("HmacSHA256");
            mac.init(new SecretKeySpec(key, "HmacSHA256"));
            return HexFormat.of().formatHex(mac.doFinal(signed.getBytes(StandardCharsets.UTF_8)));
        } catch (GeneralSecurityException e) {
            throw new IllegalStateException("HmacSHA256 is not available", e);
        }
    }
}
