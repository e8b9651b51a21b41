package dev.fledge.operator.notify;

import dev.fledge.api.spec.NotificationEvent;
import dev.fledge.api.spec.NotificationFormat;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.Arrays;
import java.util.EnumSet;
import java.util.Optional;
import java.util.Set;
import java.util.stream.Collectors;
import org.jboss.logging.Logger;

/**
 * Operator-wide notification settings ({@code fledge.notifications.*}).
 *
 * @param global        the operator's own webhook, notified for every release (empty: none)
 * @param timeout       of one HTTP attempt, connection included
 * @param maxAttempts   attempts per notification, the first included
 * @param backoff       the wait between attempts
 * @param queueCapacity notifications waiting or in flight at most; more are dropped and counted
 */
public record NotificationSettings(
        Optional<WebhookTarget> global, Duration timeout, int maxAttempts, Backoff backoff, int queueCapacity) {
    public static final String GLOBAL_NAME = "operator";

    public NotificationSettings {
        if (maxAttempts < 1 || maxAttempts > 10) {
            throw new IllegalArgumentException("fledge.notifications.max-attempts must be 1 to 10, got " + maxAttempts);
        }
        if (queueCapacity < 1) {
            throw new IllegalArgumentException(
                    "fledge.notifications.queue-capacity must be at least 1, got " + queueCapacity);
        }
        if (timeout.isNegative() || timeout.isZero()) {
            throw new IllegalArgumentException("fledge.notifications.timeout must be positive, got " + timeout);
        }
    }

    /** Defaults: no global webhook, 5s timeout, 4 attempts 1s/2s/4s apart (±20%), 1000 queued. */
    public static NotificationSettings defaults() {
        return new NotificationSettings(Optional.empty(), Duration.ofSeconds(5), 4, Backoff.standard(), 1000);
    }

    public NotificationSettings withGlobal(WebhookTarget target) {
        return new NotificationSettings(Optional.of(target), timeout, maxAttempts, backoff, queueCapacity);
    }

    /**
     * The operator-wide webhook's HMAC key ({@code fledge.notifications.signing-key}); blank: unsigned. A key that
     * breaks the {@link SigningKey} rule is kept as given: every delivery of the operator-wide webhook then fails with
     * the reason (never sent unsigned).
     */
    public static WebhookTarget.Signing signing(Optional<String> key) {
        key.filter(k -> !k.isBlank()).ifPresent(k -> {
            try {
                SigningKey.read(k.getBytes(StandardCharsets.UTF_8), "fledge.notifications.signing-key");
            } catch (IllegalArgumentException e) {
                Logger.getLogger(NotificationSettings.class)
                        .errorf("%s: the operator-wide webhook will not be sent until it is replaced", e.getMessage());
            }
        });
        return key.filter(k -> !k.isBlank()).map(WebhookTarget.Signing::withKey).orElse(WebhookTarget.Signing.NONE);
    }

    /** The operator's webhook from configuration values; a bad format or event name is refused with its name. */
    public static Optional<WebhookTarget> global(Optional<String> url, String format, Optional<String> events) {
        Optional<String> given = url.map(String::trim).filter(u -> !u.isEmpty());
        if (given.isEmpty()) {
            return Optional.empty();
        }
        if (!given.get().matches("^https?://.+$")) {
            throw new IllegalArgumentException("fledge.notifications.webhook-url must be an http(s) URL");
        }
        NotificationFormat f = Arrays.stream(NotificationFormat.values())
                .filter(v -> v.wireName().equals(format.trim()))
                .findFirst()
                .orElseThrow(() -> new IllegalArgumentException(
                        "fledge.notifications.format must be generic or slack, got '" + format + "'"));
        Set<NotificationEvent> wanted = EnumSet.noneOf(NotificationEvent.class);
        for (String name : events.map(e -> e.split(",")).orElse(new String[0])) {
            if (name.isBlank()) {
                continue;
            }
            wanted.add(Arrays.stream(NotificationEvent.values())
                    .filter(v -> v.wireName().equals(name.trim()))
                    .findFirst()
                    .orElseThrow(() ->
                            new IllegalArgumentException("fledge.notifications.events: unknown event '" + name.trim()
                                    + "' (known: "
                                    + Arrays.stream(NotificationEvent.values())
                                            .map(NotificationEvent::wireName)
                                            .collect(Collectors.joining(", "))
                                    + ")")));
        }
        return Optional.of(new WebhookTarget(GLOBAL_NAME, given, Optional.empty(), f, wanted));
    }
}
