package dev.fledge.operator.notify;

import dev.fledge.api.spec.NotificationEvent;
import dev.fledge.api.spec.NotificationFormat;
import dev.fledge.api.spec.SecretKeyRef;
import dev.fledge.api.spec.WebhookSpec;
import java.util.EnumSet;
import java.util.Optional;
import java.util.Set;

/**
 * One receiver: a literal URL or a Secret key holding it, a format and the events it wants.
 *
 * @param name            for logs and the delivery order (deliveries to one target of one release go out in order)
 * @param url             the URL, when given literally
 * @param secret          the Secret key holding the URL otherwise (in the release namespace)
 * @param signing         where the HMAC key comes from, if the payloads are signed
 * @param flaggedExamples whether the safety gate's flagged prompt/output pairs are sent (default: withheld)
 */
public record WebhookTarget(
        String name,
        Optional<String> url,
        Optional<SecretKeyRef> secret,
        NotificationFormat format,
        Set<NotificationEvent> events,
        Signing signing,
        boolean flaggedExamples) {

    public WebhookTarget {
        if (url.isPresent() == secret.isPresent()) {
            throw new IllegalArgumentException("webhook " + name + ": set exactly one of url and urlFrom");
        }
        events = events.isEmpty() ? EnumSet.allOf(NotificationEvent.class) : Set.copyOf(events);
    }

    /** Unsigned, without flagged examples. */
    public WebhookTarget(
            String name,
            Optional<String> url,
            Optional<SecretKeyRef> secret,
            NotificationFormat format,
            Set<NotificationEvent> events) {
        this(name, url, secret, format, events, Signing.NONE, false);
    }

    public static WebhookTarget of(WebhookSpec spec) {
        return new WebhookTarget(
                spec.getName(),
                Optional.ofNullable(spec.getUrl()),
                Optional.ofNullable(spec.getUrlFrom()).map(u -> u.getSecretKeyRef()),
                spec.getFormat() == null ? NotificationFormat.GENERIC : spec.getFormat(),
                spec.getEvents() == null ? Set.of() : EnumSet.copyOf(spec.getEvents()),
                spec.getSigningSecret() == null
                        ? Signing.NONE
                        : new Signing(Optional.of(spec.getSigningSecret()), Optional.empty()),
                Boolean.TRUE.equals(spec.getIncludeFlaggedExamples()));
    }

    public WebhookTarget withSigning(Signing signing) {
        return new WebhookTarget(name, url, secret, format, events, signing, flaggedExamples);
    }

    public WebhookTarget withFlaggedExamples(boolean flaggedExamples) {
        return new WebhookTarget(name, url, secret, format, events, signing, flaggedExamples);
    }

    /**
     * Where a target's HMAC key comes from: a Secret key in the release namespace (a release's webhook), or the
     * operator's own configuration (the operator-wide webhook). Neither: payloads are not signed.
     */
    public record Signing(Optional<SecretKeyRef> secret, Optional<String> key) {
        public static final Signing NONE = new Signing(Optional.empty(), Optional.empty());

        public static Signing withKey(String key) {
            return new Signing(Optional.empty(), Optional.of(key));
        }

        public boolean signs() {
            return secret.isPresent() || key.isPresent();
        }

        @Override
        public String toString() {
            return secret.map(s -> "Signing[secret " + s.getName() + "/" + s.getKey() + "]")
                    .orElse(key.isPresent() ? "Signing[operator key]" : "Signing[none]");
        }
    }

    public boolean wants(NotificationEvent event) {
        return events.contains(event);
    }
}
