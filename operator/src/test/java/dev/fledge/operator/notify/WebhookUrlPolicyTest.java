package dev.fledge.operator.notify;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import com.fasterxml.jackson.databind.ObjectMapper;
import dev.fledge.api.ModelRelease;
import dev.fledge.api.spec.ModelReleaseSpec;
import dev.fledge.api.spec.NotificationsSpec;
import dev.fledge.api.spec.WebhookSpec;
import dev.fledge.operator.http.OutboundPolicy;
import dev.fledge.operator.metrics.OperatorMetrics;
import io.micrometer.core.instrument.simple.SimpleMeterRegistry;
import java.net.InetAddress;
import java.time.Duration;
import java.util.List;
import java.util.Optional;
import java.util.concurrent.Executors;
import java.util.concurrent.ScheduledExecutorService;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

/** Issue 15, finding 6: a release's webhook may not make the operator POST to loopback (or anywhere off the list). */
class WebhookUrlPolicyTest {
    final SimpleMeterRegistry registry = new SimpleMeterRegistry();
    final ScheduledExecutorService scheduler = Executors.newSingleThreadScheduledExecutor();
    final OutboundPolicy policy = new OutboundPolicy(
            List.of(), Optional.of("fledge-system"), InetAddress::getAllByName, (ns, name) -> Optional.empty());
    WebhookReceiver receiver;
    WebhookDispatcher dispatcher;

    @BeforeEach
    void start() throws Exception {
        receiver = new WebhookReceiver();
    }

    @AfterEach
    void stop() {
        if (dispatcher != null) {
            dispatcher.close();
        }
        scheduler.shutdownNow();
        receiver.close();
    }

    WebhookDispatcher dispatcher(Optional<WebhookTarget> global) {
        NotificationSettings settings =
                new NotificationSettings(global, Duration.ofSeconds(2), 1, Backoff.standard(), 100);
        dispatcher = new WebhookDispatcher(
                settings,
                new JdkWebhookClient(Duration.ofSeconds(2)),
                (ns, ref) -> {
                    throw new WebhookUrls.UnresolvedUrl("no Secrets here");
                },
                scheduler,
                new OperatorMetrics(registry),
                new ObjectMapper(),
                policy);
        return dispatcher;
    }

    double count(String result) {
        var c = registry.find("fledge_notifications").tag("result", result).counter();
        return c == null ? 0 : c.count();
    }

    @Test
    void aReleasesWebhookToLoopbackIsNotSent() {
        ModelRelease mr = NotificationPayloadTest.release();
        mr.setSpec(new ModelReleaseSpec()
                .withNotifications(new NotificationsSpec()
                        .withWebhooks(List.of(new WebhookSpec().withName("ssrf").withUrl(receiver.url())))));

        dispatcher(Optional.empty()).notify(mr, NotificationPayloadTest.rollback());

        await().atMost(Duration.ofSeconds(10)).until(() -> count("failed") == 1);
        assertThat(receiver.received()).isEmpty();
    }

    @Test
    void theOperatorWideWebhookIsTheAdminsAndIsSent() {
        WebhookTarget global =
                WebhookTarget.of(new WebhookSpec().withName("platform").withUrl(receiver.url()));

        dispatcher(Optional.of(global)).notify(NotificationPayloadTest.release(), NotificationPayloadTest.rollback());

        await().atMost(Duration.ofSeconds(10)).until(() -> count("sent") == 1);
        assertThat(receiver.received()).hasSize(1);
    }
}
