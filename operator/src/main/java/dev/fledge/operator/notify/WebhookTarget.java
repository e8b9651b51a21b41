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
 * @param name   for logs and the delivery order (deliveries to one target of one release go out in order)
 * @param url    the URL, when given literally
 * @param secret the Secret key holding the URL otherwise (in the release namespace)
 */
public record WebhookTarget(
        String name,
        Optional<String> url,
        Optional<SecretKeyRef> secret,
        NotificationFormat format,
        Set<NotificationEvent> events) {

    public WebhookTarget {
        if (url.isPresent() == secret.isPresent()) {
            throw new IllegalArgumentException("webhook " + name + ": set exactly one of url and urlFrom");
        }
        events = events.isEmpty() ? EnumSet.allOf(NotificationEvent.class) : Set.copyOf(events);
    }

    public static WebhookTarget of(WebhookSpec spec) {
        return new WebhookTarget(
                spec.getName(),
                Optional.ofNullable(spec.getUrl()),
                Optional.ofNullable(spec.getUrlFrom()).map(u -> u.getSecretKeyRef()),
                spec.getFormat() == null ? NotificationFormat.GENERIC : spec.getFormat(),
                spec.getEvents() == null ? Set.of() : EnumSet.copyOf(spec.getEvents()));
    }

    public boolean wants(NotificationEvent event) {
        return events.contains(event);
    }
}
