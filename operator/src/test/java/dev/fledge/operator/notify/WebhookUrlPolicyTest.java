package dev.fledge.operator.notify;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import com.fasterxml.jackson.databind.ObjectMapper;
import dev.fledge.api.ModelRelease;
import dev.fledge.api.spec.ModelReleaseSpec;
import dev.fledge.api.spec.NotificationsSpec;
import dev.fledge.api.spec.WebhookSpec;
import dev.fledge.operator.http.OutboundPolicy;
import dev.fledge.operator.http.ServiceLookup;
import dev.fledge.operator.metrics.OperatorMetrics;
import io.micrometer.core.instrument.simple.SimpleMeterRegistry;
import java.net.InetAddress;
import java.net.URI;
import java.time.Duration;
import java.util.List;
import java.util.Optional;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CopyOnWriteArrayList;
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
        return dispatcher(global, new JdkWebhookClient(Duration.ofSeconds(2)), policy);
    }

    WebhookDispatcher dispatcher(Optional<WebhookTarget> global, WebhookClient client, OutboundPolicy policy) {
        NotificationSettings settings =
                new NotificationSettings(global, Duration.ofSeconds(2), 1, Backoff.standard(), 100);
        dispatcher = new WebhookDispatcher(
                settings,
                client,
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

    @Test
    void aReleasesWebhookNameThatRebindsToLoopbackAfterTheCheckIsNotSentThere() {
        // checked: the name answers its Service's cluster IP
        OutboundPolicy checked = new OutboundPolicy(
                List.of(),
                Optional.of("fledge-system"),
                host -> new InetAddress[] {InetAddress.getByName("10.96.0.10")},
                (ns, name) -> Optional.of(new ServiceLookup.Facts("ClusterIP", true, List.of("10.96.0.10"))));
        // sent: a request goes where its host resolves at that moment; the name now answers loopback (the receiver)
        List<URI> atClusterIp = new CopyOnWriteArrayList<>();
        JdkWebhookClient jdk = new JdkWebhookClient(Duration.ofSeconds(2));
        WebhookClient network = (uri, json, headers, timeout) -> {
            if (uri.getHost().equals("10.96.0.10")) {
                atClusterIp.add(uri);
                return CompletableFuture.completedFuture(200);
            }
            return jdk.post(URI.create(receiver.url()), json, headers, timeout);
        };
        ModelRelease mr = NotificationPayloadTest.release();
        mr.setSpec(new ModelReleaseSpec()
                .withNotifications(new NotificationsSpec()
                        .withWebhooks(List.of(new WebhookSpec()
                                .withName("hooks")
                                .withUrl(
                                        "http://hooks." + mr.getMetadata().getNamespace() + ".svc:8080/fledge?k=1")))));

        dispatcher(Optional.empty(), network, checked).notify(mr, NotificationPayloadTest.rollback());

        await().atMost(Duration.ofSeconds(10)).until(() -> count("sent") + count("failed") == 1);
        assertThat(receiver.received()).isEmpty();
        assertThat(atClusterIp).containsExactly(URI.create("http://10.96.0.10:8080/fledge?k=1"));
    }

    @Test
    void aWebhookWhoseServiceCannotBeReadForAMomentIsSentOnTheNextAttempt() {
        java.util.concurrent.atomic.AtomicInteger reads = new java.util.concurrent.atomic.AtomicInteger();
        OutboundPolicy flaky = new OutboundPolicy(
                List.of(),
                Optional.of("fledge-system"),
                host -> new InetAddress[] {InetAddress.getByName("10.96.0.10")},
                (ns, name) -> {
                    if (reads.incrementAndGet() == 1) {
                        throw new io.fabric8.kubernetes.client.KubernetesClientException(
                                "etcd leader changed", 500, null);
                    }
                    return Optional.of(new ServiceLookup.Facts("ClusterIP", true, List.of("10.96.0.10")));
                });
        List<URI> sent = new CopyOnWriteArrayList<>();
        WebhookClient network = (uri, json, headers, timeout) -> {
            sent.add(uri);
            return CompletableFuture.completedFuture(200);
        };
        dispatcher = new WebhookDispatcher(
                new NotificationSettings(
                        Optional.empty(),
                        Duration.ofSeconds(2),
                        3,
                        new Backoff(Duration.ofMillis(10), Duration.ofMillis(50), 0, () -> 0.5),
                        100),
                network,
                (ns, ref) -> {
                    throw new WebhookUrls.UnresolvedUrl("no Secrets here");
                },
                scheduler,
                new OperatorMetrics(registry),
                new ObjectMapper(),
                flaky);
        ModelRelease mr = NotificationPayloadTest.release();
        mr.setSpec(new ModelReleaseSpec()
                .withNotifications(new NotificationsSpec()
                        .withWebhooks(List.of(new WebhookSpec()
                                .withName("hooks")
                                .withUrl("http://hooks." + mr.getMetadata().getNamespace() + ".svc:8080/fledge")))));

        dispatcher.notify(mr, NotificationPayloadTest.rollback());

        await().atMost(Duration.ofSeconds(10)).until(() -> count("sent") + count("failed") == 1);
        assertThat(count("sent")).isEqualTo(1);
        assertThat(sent).containsExactly(URI.create("http://10.96.0.10:8080/fledge"));
    }
}
