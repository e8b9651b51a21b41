package dev.fledge.operator.notify;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import com.fasterxml.jackson.databind.ObjectMapper;
import dev.fledge.api.ModelRelease;
import dev.fledge.api.spec.ModelReleaseSpec;
import dev.fledge.api.spec.NotificationEvent;
import dev.fledge.api.spec.NotificationFormat;
import dev.fledge.api.spec.NotificationsSpec;
import dev.fledge.api.spec.SecretKeyRef;
import dev.fledge.api.spec.WebhookSpec;
import dev.fledge.api.spec.WebhookUrlSource;
import dev.fledge.api.status.Phase;
import dev.fledge.operator.metrics.OperatorMetrics;
import io.micrometer.core.instrument.simple.SimpleMeterRegistry;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.Optional;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.Executors;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

/** Delivery against a real HTTP server on loopback, with backoff shortened to milliseconds. */
class WebhookDispatcherTest {
    final SimpleMeterRegistry registry = new SimpleMeterRegistry();
    final OperatorMetrics metrics = new OperatorMetrics(registry);
    final ScheduledExecutorService scheduler = Executors.newSingleThreadScheduledExecutor();
    final CountDownLatch release = new CountDownLatch(1);
    WebhookReceiver receiver;
    WebhookDispatcher dispatcher;

    @BeforeEach
    void start() throws Exception {
        receiver = new WebhookReceiver();
    }

    @AfterEach
    void stop() {
        release.countDown();
        if (dispatcher != null) {
            dispatcher.close();
        }
        scheduler.shutdownNow();
        receiver.close();
    }

    WebhookDispatcher dispatcher(int attempts, Duration timeout, int capacity, WebhookUrls urls) {
        NotificationSettings settings = new NotificationSettings(
                Optional.empty(),
                timeout,
                attempts,
                new Backoff(Duration.ofMillis(40), Duration.ofSeconds(1), 0.0, () -> 0.5),
                capacity);
        dispatcher = new WebhookDispatcher(
                settings, new JdkWebhookClient(timeout), urls, scheduler, metrics, new ObjectMapper());
        return dispatcher;
    }

    WebhookDispatcher dispatcher(int attempts) {
        return dispatcher(attempts, Duration.ofSeconds(2), 100, (ns, ref) -> {
            throw new WebhookUrls.UnresolvedUrl("no Secrets here");
        });
    }

    ModelRelease release(WebhookSpec... webhooks) {
        ModelRelease mr = NotificationPayloadTest.release();
        mr.setSpec(new ModelReleaseSpec().withNotifications(new NotificationsSpec().withWebhooks(List.of(webhooks))));
        return mr;
    }

    WebhookSpec hook() {
        return new WebhookSpec().withName("ops").withUrl(receiver.url());
    }

    double count(String result) {
        var c = registry.find("fledge_notifications").tag("result", result).counter();
        return c == null ? 0 : c.count();
    }

    @Test
    void retriesServerErrorsWithGrowingWaitsThenSucceeds() {
        receiver.answering(n -> n <= 3 ? 500 : 200);

        dispatcher(5).notify(release(hook()), NotificationPayloadTest.rollback());

        await().atMost(Duration.ofSeconds(10)).until(() -> count("sent") == 1);
        List<WebhookReceiver.Received> got = receiver.received();
        assertThat(got).hasSize(4);
        assertThat(got)
                .extracting(WebhookReceiver.Received::body)
                .containsOnly(got.get(0).body());
        List<Long> gapsMillis = new ArrayList<>();
        for (int i = 1; i < got.size(); i++) {
            gapsMillis.add(TimeUnit.NANOSECONDS.toMillis(
                    got.get(i).nanos() - got.get(i - 1).nanos()));
        }
        // waits of 40 ms, 80 ms, 160 ms (no jitter here): each attempt comes at least its wait after the one before;
        // the upper bound only says it is not a much longer wait (a loaded machine delays, never hastens, an attempt)
        assertThat(gapsMillis.get(0)).isBetween(40L, 5_000L);
        assertThat(gapsMillis.get(1)).isBetween(80L, 5_000L);
        assertThat(gapsMillis.get(2)).isBetween(160L, 5_000L);
        assertThat(count("failed")).isZero();
        assertThat(dispatcher.pending()).isZero();
    }

    @Test
    void givesUpAfterTheAttemptLimitAndCountsTheFailure() {
        receiver.answering(n -> 503);

        dispatcher(3).notify(release(hook()), NotificationPayloadTest.rollback());

        await().atMost(Duration.ofSeconds(10)).until(() -> count("failed") == 1);
        assertThat(receiver.received()).hasSize(3);
        assertThat(count("sent")).isZero();
        await().until(() -> dispatcher.pending() == 0);
    }

    @Test
    void aClientErrorIsNotRetried() {
        receiver.answering(n -> 404);

        dispatcher(4).notify(release(hook()), NotificationPayloadTest.rollback());

        await().atMost(Duration.ofSeconds(10)).until(() -> count("failed") == 1);
        assertThat(receiver.received()).hasSize(1);
    }

    @Test
    void aWebhookThatDoesNotAnswerInTimeIsRetriedThenCountedAsFailed() {
        receiver.answering(n -> {
            awaitQuietly(release, 5);
            return 200;
        });

        long start = System.nanoTime();
        dispatcher(2, Duration.ofMillis(200), 100, (ns, ref) -> "unused")
                .notify(release(hook()), NotificationPayloadTest.rollback());

        await().atMost(Duration.ofSeconds(5)).until(() -> count("failed") == 1);
        assertThat(TimeUnit.NANOSECONDS.toMillis(System.nanoTime() - start))
                .as("two 200 ms timeouts and a 40 ms wait")
                .isBetween(400L, 3000L);
        assertThat(receiver.received()).hasSize(2);
        assertThat(count("sent")).isZero();
    }

    @Test
    void notifyReturnsAtOnceWhileTheWebhookIsBlockedAndAFullQueueDropsAndCounts() {
        receiver.answering(n -> {
            awaitQuietly(release, 10);
            return 200;
        });
        WebhookDispatcher d = dispatcher(1, Duration.ofSeconds(10), 3, (ns, ref) -> "unused");
        ModelRelease mr = release(hook());

        long start = System.nanoTime();
        for (int i = 0; i < 5; i++) {
            d.notify(mr, NotificationPayloadTest.rollback());
        }
        long tookMillis = TimeUnit.NANOSECONDS.toMillis(System.nanoTime() - start);

        assertThat(tookMillis).as("five notify calls with a blocked webhook").isLessThan(500);
        assertThat(count("dropped")).isEqualTo(2);
        assertThat(d.pending()).isEqualTo(3);
        await().atMost(Duration.ofSeconds(5)).until(() -> receiver.received().size() == 1);
        assertThat(count("sent")).as("the first is still in flight").isZero();

        release.countDown();
        await().atMost(Duration.ofSeconds(10)).until(() -> count("sent") == 3);
        assertThat(d.pending()).isZero();
    }

    @Test
    void deliversOneTargetsNotificationsInOrderAndHonoursTheEventFilter() throws Exception {
        receiver.answering(n -> n == 1 ? 500 : 200);
        WebhookDispatcher d = dispatcher(3);
        ModelRelease mr =
                release(hook().withEvents(List.of(NotificationEvent.STAGE_STARTED, NotificationEvent.PROMOTED)));
        var json = new ObjectMapper();

        for (String stage : List.of("internal", "closed", "public")) {
            d.notify(mr, stageStarted(stage));
        }
        d.notify(mr, NotificationPayloadTest.rollback());

        await().atMost(Duration.ofSeconds(10)).until(() -> count("sent") == 3);
        List<String> stages = new ArrayList<>();
        for (String body : receiver.bodies()) {
            stages.add(json.readTree(body).get("toStage").asText());
        }
        assertThat(stages)
                .as("the first failed once and was retried before the second went out")
                .containsExactly("internal", "internal", "closed", "public");
        assertThat(count("failed")).isZero();
    }

    @Test
    void readsTheUrlFromTheSecretAndSendsTheChosenFormat() throws Exception {
        WebhookSpec fromSecret = new WebhookSpec()
                .withName("slack")
                .withFormat(NotificationFormat.SLACK)
                .withUrlFrom(new WebhookUrlSource()
                        .withSecretKeyRef(new SecretKeyRef().withName("hooks").withKey("slack")));
        dispatcher(1, Duration.ofSeconds(2), 10, (ns, ref) -> {
                    assertThat(ns).isEqualTo("ml");
                    assertThat(ref.getName()).isEqualTo("hooks");
                    return receiver.url();
                })
                .notify(release(fromSecret), NotificationPayloadTest.rollback());

        await().atMost(Duration.ofSeconds(10)).until(() -> count("sent") == 1);
        var body = new ObjectMapper().readTree(receiver.bodies().get(0));
        assertThat(body.has("blocks")).isTrue();
        assertThat(body.get("text").asText()).contains("rolled back 2.0.0");
    }

    @Test
    void anUnreadableSecretFailsWithoutRetryingAndTheGlobalWebhookStillGetsIt() {
        NotificationSettings settings = new NotificationSettings(
                NotificationSettings.global(Optional.of(receiver.url()), "generic", Optional.empty()),
                Duration.ofSeconds(2),
                3,
                new Backoff(Duration.ofMillis(10), Duration.ofMillis(10), 0, () -> 0.5),
                10);
        dispatcher = new WebhookDispatcher(
                settings,
                new JdkWebhookClient(Duration.ofSeconds(2)),
                (ns, ref) -> {
                    throw new WebhookUrls.UnresolvedUrl("Secret ml/hooks does not exist");
                },
                scheduler,
                metrics,
                new ObjectMapper());
        WebhookSpec fromSecret = new WebhookSpec()
                .withName("slack")
                .withUrlFrom(new WebhookUrlSource()
                        .withSecretKeyRef(new SecretKeyRef().withName("hooks").withKey("slack")));

        dispatcher.notify(release(fromSecret), NotificationPayloadTest.rollback());

        await().atMost(Duration.ofSeconds(10)).until(() -> count("sent") == 1 && count("failed") == 1);
        assertThat(receiver.received()).hasSize(1);
    }

    @Test
    void anUnparsableUrlFromASecretIsNotLogged() {
        List<String> logged = new java.util.concurrent.CopyOnWriteArrayList<>();
        java.util.logging.Handler capture = new java.util.logging.Handler() {
            @Override
            public void publish(java.util.logging.LogRecord r) {
                logged.add(r.getMessage() + " " + java.util.Arrays.toString(r.getParameters()));
            }

            @Override
            public void flush() {}

            @Override
            public void close() {}
        };
        java.util.logging.Logger jul = java.util.logging.Logger.getLogger(WebhookDispatcher.class.getName());
        jul.addHandler(capture);
        try {
            WebhookSpec fromSecret = new WebhookSpec()
                    .withName("slack")
                    .withUrlFrom(new WebhookUrlSource()
                            .withSecretKeyRef(
                                    new SecretKeyRef().withName("hooks").withKey("slack")));
            dispatcher(1, Duration.ofSeconds(2), 10, (ns, ref) -> "https://hooks.example/[services?token=HOOK-SECRET")
                    .notify(release(fromSecret), NotificationPayloadTest.rollback());

            await().atMost(Duration.ofSeconds(10)).until(() -> count("failed") == 1);
            assertThat(logged).anySatisfy(l -> assertThat(l).contains("the webhook URL is not a valid URI"));
            assertThat(logged).noneSatisfy(l -> assertThat(l).contains("HOOK-SECRET"));
        } finally {
            jul.removeHandler(capture);
        }
    }

    static Notification stageStarted(String stage) {
        return new Notification(
                NotificationEvent.STAGE_STARTED,
                "StageStarted",
                "stage " + stage + " started",
                "ml",
                "assistant",
                Phase.PROGRESSING,
                null,
                stage,
                0,
                "1.0.0",
                "2.0.0",
                List.of(),
                Instant.parse("2026-11-28T12:00:00Z"));
    }

    static void awaitQuietly(CountDownLatch latch, int seconds) {
        try {
            latch.await(seconds, TimeUnit.SECONDS);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        }
    }
}
