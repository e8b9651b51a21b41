package dev.fledge.operator.notify;

import dev.fledge.api.spec.SecretKeyRef;

/** Reads a webhook URL from a Secret key; fails with a message fit for a log line (never the URL itself). */
public interface WebhookUrls {
    String read(String namespace, SecretKeyRef ref) throws UnresolvedUrl;

    /** The URL could not be read: missing Secret or key, no rights, not a URL. Retrying will not help. */
    final class UnresolvedUrl extends Exception {
        public UnresolvedUrl(String message) {
            super(message);
        }
    }
}
