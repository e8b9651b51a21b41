package dev.fledge.operator.notify;

import dev.fledge.api.spec.SecretKeyRef;

/**
 * Reads a webhook URL, or a webhook's signing key, from a Secret key; fails with a message fit for a log line
 * (never the URL or the key itself).
 */
public interface WebhookUrls {
    String read(String namespace, SecretKeyRef ref) throws UnresolvedUrl;

    /** The HMAC key of a signed webhook: the Secret key's bytes, never empty. */
    default byte[] signingKey(String namespace, SecretKeyRef ref) throws UnresolvedUrl {
        throw new UnresolvedUrl("signing keys are not read here");
    }

    /** The URL could not be read: missing Secret or key, no rights, not a URL. Retrying will not help. */
    final class UnresolvedUrl extends Exception {
        public UnresolvedUrl(String message) {
            super(message);
        }
    }
}
