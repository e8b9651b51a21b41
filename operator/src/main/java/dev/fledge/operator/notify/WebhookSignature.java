package dev.fledge.operator.notify;

import java.nio.charset.StandardCharsets;
import java.security.GeneralSecurityException;
import java.time.Instant;
import java.util.HexFormat;
import java.util.LinkedHashMap;
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
 * deliveryId + "." + body)}.</li>
 * </ul>
 *
 * The timestamp and the delivery id are signed with the body, so a captured delivery cannot be replayed with a fresh
 * id or time. A receiver recomputes the HMAC over the two headers and the raw body, compares in constant time,
 * refuses a timestamp more than five minutes from its clock, and drops a delivery id it has seen in that window.
 */
public final class WebhookSignature {
    public static final String TIMESTAMP = "X-Fledge-Timestamp";
    public static final String DELIVERY = "X-Fledge-Delivery";
    public static final String SIGNATURE = "X-Fledge-Signature";

    private WebhookSignature() {}

    public static Map<String, String> headers(byte[] key, String deliveryId, String body, Instant now) {
        String timestamp = Long.toString(now.getEpochSecond());
        Map<String, String> headers = new LinkedHashMap<>();
        headers.put(TIMESTAMP, timestamp);
        headers.put(DELIVERY, deliveryId);
        headers.put(SIGNATURE, "sha256=" + hmac(key, signedContent(timestamp, deliveryId, body)));
        return headers;
    }

    /** What the HMAC covers: {@code timestamp + "." + deliveryId + "." + body}. */
    static String signedContent(String timestamp, String deliveryId, String body) {
        return timestamp + "." + deliveryId + "." + body;
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
