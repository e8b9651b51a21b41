package dev.fledge.operator.notify;

import com.fasterxml.jackson.databind.ObjectMapper;
import dev.fledge.api.ModelRelease;
import dev.fledge.api.spec.NotificationFormat;
import dev.fledge.operator.http.OutboundPolicy;
import dev.fledge.operator.metrics.OperatorMetrics;
import java.net.URI;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.EnumMap;
import java.util.List;
import java.util.Map;
import java.util.UUID;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CompletionException;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;
import org.jboss.logging.Logger;

/**
 * Delivers notifications to the operator's webhook and the release's own, off the reconcile thread.
 *
 * <ul>
 * <li>{@link #notify} only renders the payloads and queues them; it never waits for the network. When
 * {@code queueCapacity} notifications are already waiting or in flight, a new one is dropped and counted.</li>
 * <li>Deliveries to one webhook of one release go out in order, one at a time; different webhooks do not wait for
 * each other.</li>
 * <li>An attempt fails on a timeout, a refused connection, a 5xx, 408 or 429; it is retried after
 * {@link Backoff#after} until {@code maxAttempts}. Another 4xx, or a URL that cannot be read from its Secret,
 * fails at once: retrying would not help.</li>
 * <li>A target with a signing key gets the {@link WebhookSignature} headers on every attempt (a fresh timestamp
 * each time, one delivery id per notification, signed for the URL it is sent to). A key that cannot be read fails the delivery: a receiver that
 * checks signatures would drop an unsigned payload anyway, and one that does not must not be taught to accept
 * them.</li>
 * <li>Unless a target asks for them ({@code includeFlaggedExamples}), the safety gate's flagged prompt/output
 * pairs are taken out of the payload ({@link Notification#withoutFlaggedExamples}).</li>
 * <li>Every outcome is counted ({@code fledge_notifications_total{result="sent|failed|dropped"}}) and failures are
 * logged, never rethrown. URLs are never logged (they may carry tokens).</li>
 * </ul>
 */
public final class WebhookDispatcher implements Notifier, AutoCloseable {
    private static final Logger LOG = Logger.getLogger(WebhookDispatcher.class);
    private static final CompletableFuture<Void> DONE = CompletableFuture.completedFuture(null);

    private final NotificationSettings settings;
    private final OutboundPolicy outbound;
    private final WebhookClient client;
    private final WebhookUrls urls;
    private final ScheduledExecutorService scheduler;
    private final OperatorMetrics metrics;
    private final NotSent notSent;
    private final Map<NotificationFormat, Payload> payloads = new EnumMap<>(NotificationFormat.class);
    private final AtomicInteger pending = new AtomicInteger();
    private final Map<String, CompletableFuture<Void>> tails = new ConcurrentHashMap<>();

    public WebhookDispatcher(
            NotificationSettings settings,
            WebhookClient client,
            WebhookUrls urls,
            ScheduledExecutorService scheduler,
            OperatorMetrics metrics,
            ObjectMapper json) {
        this(settings, client, urls, scheduler, metrics, json, OutboundPolicy.permissive());
    }

    /** @param outbound where a release's own webhooks may point (the operator-wide webhook is the admin's, never checked) */
    public WebhookDispatcher(
            NotificationSettings settings,
            WebhookClient client,
            WebhookUrls urls,
            ScheduledExecutorService scheduler,
            OperatorMetrics metrics,
            ObjectMapper json,
            OutboundPolicy outbound) {
        this(settings, client, urls, scheduler, metrics, json, outbound, NotSent.LOG_ONLY);
    }

    /** @param notSent told when a payload that must be signed cannot be (a Warning event on the release) */
    public WebhookDispatcher(
            NotificationSettings settings,
            WebhookClient client,
            WebhookUrls urls,
            ScheduledExecutorService scheduler,
            OperatorMetrics metrics,
            ObjectMapper json,
            OutboundPolicy outbound,
            NotSent notSent) {
        this.notSent = notSent;
        this.outbound = outbound;
        this.settings = settings;
        this.client = client;
        this.urls = urls;
        this.scheduler = scheduler;
        this.metrics = metrics;
        for (NotificationFormat f : NotificationFormat.values()) {
            payloads.put(f, Payload.of(f, json));
        }
    }

    @Override
    public void notify(ModelRelease mr, Notification n) {
        for (WebhookTarget target : targets(mr)) {
            if (target.wants(n.event())) {
                Notification shown = target.flaggedExamples() ? n : n.withoutFlaggedExamples();
                enqueue(new Delivery(
                        mr,
                        mr.getMetadata().getNamespace(),
                        n.release(),
                        target,
                        n.event().wireName(),
                        payloads.get(target.format()).render(shown),
                        UUID.randomUUID().toString()));
            }
        }
    }

    /** Notifications waiting or in flight. */
    public int pending() {
        return pending.get();
    }

    private List<WebhookTarget> targets(ModelRelease mr) {
        List<WebhookTarget> targets = new ArrayList<>();
        settings.global().ifPresent(targets::add);
        var spec = mr.getSpec() == null ? null : mr.getSpec().getNotifications();
        if (spec != null && spec.getWebhooks() != null) {
            for (var webhook : spec.getWebhooks()) {
                try {
                    targets.add(WebhookTarget.of(webhook));
                } catch (IllegalArgumentException e) {
                    LOG.warnf(
                            "%s/%s: webhook skipped: %s",
                            mr.getMetadata().getNamespace(), mr.getMetadata().getName(), e.getMessage());
                }
            }
        }
        return targets;
    }

    private synchronized void enqueue(Delivery d) {
        if (pending.get() >= settings.queueCapacity()) {
            metrics.notification(OperatorMetrics.NOTIFICATION_DROPPED);
            LOG.warnf("%s: %s notification dropped: %d notifications already queued", d, d.event(), pending.get());
            return;
        }
        pending.incrementAndGet();
        String key = d.namespace() + "/" + d.releaseName() + "/" + d.target().name();
        CompletableFuture<Void> next = tails.getOrDefault(key, DONE)
                .thenComposeAsync(ignored -> attempt(d, 1), scheduler)
                .exceptionally(e -> {
                    metrics.notification(OperatorMetrics.NOTIFICATION_FAILED);
                    LOG.warnf("%s: %s notification failed: %s", d, d.event(), e.toString());
                    return null;
                })
                .whenComplete((ignored, e) -> pending.decrementAndGet());
        tails.put(key, next);
        next.whenComplete((ignored, e) -> tails.remove(key, next));
    }

    private CompletableFuture<Void> attempt(Delivery d, int attempt) {
        URI url;
        try {
            url = URI.create(
                    d.target().url().isPresent()
                            ? d.target().url().get()
                            : urls.read(d.namespace(), d.target().secret().orElseThrow()));
        } catch (WebhookUrls.UnresolvedUrl e) {
            return failed(d, e.getMessage());
        } catch (IllegalArgumentException e) {
            // URI.create quotes the whole URL, which may come from a Secret and hold a token
            return failed(d, "the webhook URL is not a valid URI");
        }
        boolean global = settings.global().map(g -> g == d.target()).orElse(false);
        // a release's webhook goes to the address the policy checked (an http Service's cluster IP), not to a name
        // resolved again; it is signed for the URL as the release names it, which is how the receiver knows itself
        URI sendTo = url;
        if (!global) {
            OutboundPolicy.Permit permit = outbound.permit(url.toString(), d.namespace());
            if (!permit.allowed() && permit.unreadable() && attempt < settings.maxAttempts()) {
                // the Service could not be read or the name did not resolve: a moment later it may
                LOG.debugf("%s: attempt %d not sent (%s); retrying", d, attempt, permit.refusal());
                return later(settings.backoff().after(attempt))
                        .thenComposeAsync(ignored -> attempt(d, attempt + 1), scheduler);
            }
            if (!permit.allowed()) {
                return failed(d, "webhook URL not allowed: " + permit.refusal());
            }
            sendTo = URI.create(permit.target());
        }
        Map<String, String> headers;
        try {
            headers = signatureHeaders(d, url);
        } catch (WebhookUrls.UnresolvedUrl | IllegalArgumentException e) {
            notSent.signingFailed(d.release(), d.target().name(), e.getMessage());
            return failed(d, "cannot sign the payload, so it is not sent: " + e.getMessage());
        }
        return client.post(sendTo, d.body(), headers, settings.timeout())
                .handle((status, error) -> error == null ? Outcome.of(status) : Outcome.error(error))
                .thenCompose(outcome -> {
                    if (outcome.sent()) {
                        metrics.notification(OperatorMetrics.NOTIFICATION_SENT);
                        LOG.debugf("%s: %s notification sent (attempt %d)", d, d.event(), attempt);
                        return DONE;
                    }
                    if (!outcome.retriable() || attempt >= settings.maxAttempts()) {
                        return failed(d, outcome.describe() + " after " + attempt + " attempt(s)");
                    }
                    Duration wait = settings.backoff().after(attempt);
                    LOG.debugf("%s: attempt %d failed (%s); retrying in %s", d, attempt, outcome.describe(), wait);
                    return later(wait).thenComposeAsync(ignored -> attempt(d, attempt + 1), scheduler);
                });
    }

    private Map<String, String> signatureHeaders(Delivery d, URI url) throws WebhookUrls.UnresolvedUrl {
        WebhookTarget.Signing signing = d.target().signing();
        if (!signing.signs()) {
            return Map.of();
        }
        byte[] key = signing.key().isPresent()
                ? SigningKey.read(
                        signing.key().get().getBytes(StandardCharsets.UTF_8),
                        "fledge.notifications.signing-key (the operator-wide webhook's)")
                : urls.signingKey(d.namespace(), signing.secret().orElseThrow());
        return WebhookSignature.headers(key, d.id(), url, d.body(), Instant.now());
    }

    private CompletableFuture<Void> failed(Delivery d, String why) {
        metrics.notification(OperatorMetrics.NOTIFICATION_FAILED);
        LOG.warnf("%s: %s notification not delivered: %s", d, d.event(), why);
        return DONE;
    }

    private CompletableFuture<Void> later(Duration wait) {
        CompletableFuture<Void> timer = new CompletableFuture<>();
        scheduler.schedule(() -> timer.complete(null), wait.toMillis(), TimeUnit.MILLISECONDS);
        return timer;
    }

    @Override
    public void close() {
        scheduler.shutdownNow();
    }

    private record Delivery(
            ModelRelease release,
            String namespace,
            String releaseName,
            WebhookTarget target,
            String event,
            String body,
            String id) {
        @Override
        public String toString() {
            return namespace + "/" + releaseName + " webhook " + target.name();
        }
    }

    /** Where a delivery that had to be signed and could not be is reported, besides the log and the counter. */
    @FunctionalInterface
    public interface NotSent {
        NotSent LOG_ONLY = (release, webhook, why) -> {};

        void signingFailed(ModelRelease release, String webhook, String why);
    }

    /** One attempt's result. */
    private record Outcome(boolean sent, boolean retriable, String describe) {
        static Outcome of(int status) {
            boolean retriable = status >= 500 || status == 408 || status == 429;
            return new Outcome(status >= 200 && status < 300, retriable, "HTTP " + status);
        }

        static Outcome error(Throwable e) {
            Throwable cause = e instanceof CompletionException && e.getCause() != null ? e.getCause() : e;
            return new Outcome(
                    false,
                    true,
                    cause.getClass().getSimpleName() + (cause.getMessage() == null ? "" : ": " + cause.getMessage()));
        }
    }
}
