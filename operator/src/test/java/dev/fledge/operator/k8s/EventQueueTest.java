package dev.fledge.operator.k8s;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;
import static org.junit.jupiter.api.Assertions.assertTimeoutPreemptively;

import dev.fledge.core.rollout.EventReason;
import dev.fledge.core.rollout.RolloutEvent;
import dev.fledge.operator.mock.MovableClock;
import dev.fledge.testsupport.ApplyTolerantCrudDispatcher;
import io.fabric8.kubernetes.api.model.Event;
import io.fabric8.kubernetes.client.KubernetesClient;
import io.fabric8.kubernetes.client.server.mock.KubernetesMockServer;
import io.fabric8.kubernetes.client.utils.Serialization;
import io.fabric8.mockwebserver.Context;
import io.fabric8.mockwebserver.MockWebServer;
import io.fabric8.mockwebserver.http.MockResponse;
import io.fabric8.mockwebserver.http.RecordedRequest;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.time.Instant;
import java.util.HashMap;
import java.util.List;
import java.util.Queue;
import java.util.concurrent.ConcurrentLinkedQueue;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicBoolean;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

/**
 * The operator's Events are written off the reconcile thread: a reconcile that records one goes on while the API server
 * has not taken it, a release's Events arrive in the order recorded with the time they were recorded at, and an API
 * server that takes none makes the queue drop them, never block, and never more than its share of one release's.
 */
class EventQueueTest {
    /** The clock's start, a whole second as an Event's timestamps; it moves only when the test moves it. */
    private final Instant start = Instant.parse("2026-12-07T10:00:00Z");

    private final MovableClock clock = MovableClock.stoppedAt(start);
    /** The Events the API server was asked to create, in the order asked: message and recorded time. */
    private final List<String> posted = new CopyOnWriteArrayList<>();
    /**
     * Until counted down, the API server holds every request to create an Event (the mock server answers one request at
     * a time: nothing else is asked of it meanwhile).
     */
    private final CountDownLatch eventsTaken = new CountDownLatch(1);

    private KubernetesMockServer server;
    private KubernetesClient client;

    @BeforeEach
    void start() {
        server = new KubernetesMockServer(
                new Context(),
                new MockWebServer(),
                new HashMap<>(),
                new ApplyTolerantCrudDispatcher() {
                    @Override
                    public MockResponse dispatch(RecordedRequest request) {
                        if ("POST".equals(request.getMethod())
                                && request.getPath().contains("/events")) {
                            try {
                                eventsTaken.await(30, TimeUnit.SECONDS);
                            } catch (InterruptedException e) {
                                Thread.currentThread().interrupt();
                            }
                            Event e = Serialization.unmarshal(
                                    new String(request.getBody().getBytes(), StandardCharsets.UTF_8), Event.class);
                            posted.add(e.getMessage() + " at "
                                    + Duration.between(start, Instant.parse(e.getFirstTimestamp()))
                                            .toSeconds());
                        }
                        return super.dispatch(request);
                    }
                },
                false);
        server.init();
        client = server.createClient();
    }

    @AfterEach
    void stop() {
        eventsTaken.countDown();
        client.close();
        server.destroy();
    }

    @Test
    void recordingDoesNotWaitForTheApiServerAndTheEventsComeInTheOrderRecorded() {
        Queue<String> outcomes = new ConcurrentLinkedQueue<>();
        try (EventQueue queue = new EventQueue(outcomes::add)) {
            EventRecorder events = new EventRecorder(client, clock, queue);
            assertTimeoutPreemptively(
                    Duration.ofSeconds(5),
                    () -> {
                        for (int i = 1; i <= 5; i++) {
                            events.record(
                                    EventRecorderTest.release("assistant"),
                                    new RolloutEvent(EventReason.StepAdvanced, "step " + i));
                            clock.advance(Duration.ofSeconds(10));
                        }
                    },
                    "recording an Event waited for the API server to take it");

            eventsTaken.countDown();
            await().atMost(Duration.ofSeconds(20)).until(() -> outcomes.size() == 5);
            assertThat(outcomes).containsOnly(EventQueue.WRITTEN);
            assertThat(posted)
                    .as("as the API server got them")
                    .containsExactly("step 1 at 0", "step 2 at 10", "step 3 at 20", "step 4 at 30", "step 5 at 40");
            assertThat(client.v1().events().inNamespace("team-a").list().getItems())
                    .extracting(e -> e.getMessage() + " at "
                            + Duration.between(start, Instant.parse(e.getFirstTimestamp()))
                                    .toSeconds())
                    .as("each with the time it was recorded at, not the time it was written")
                    .containsExactlyInAnyOrderElementsOf(posted);
        }
    }

    @Test
    void aFullQueueDropsAndCountsWithoutBlocking() throws Exception {
        Queue<String> outcomes = new ConcurrentLinkedQueue<>();
        CountDownLatch running = new CountDownLatch(1);
        CountDownLatch release = new CountDownLatch(1);
        AtomicBoolean pastCapacityRan = new AtomicBoolean();
        try (EventQueue queue = new EventQueue(1, 2, outcomes::add)) {
            queue.submit("uid-a", () -> {
                running.countDown();
                awaitQuietly(release);
                return true;
            });
            assertThat(running.await(10, TimeUnit.SECONDS)).isTrue();
            assertTimeoutPreemptively(Duration.ofSeconds(5), () -> {
                queue.submit("uid-a", () -> true);
                queue.submit("uid-b", () -> false);
                queue.submit("uid-c", () -> pastCapacityRan.getAndSet(true));
            });
            assertThat(queue.dropped()).isEqualTo(1);
            release.countDown();
            await().atMost(Duration.ofSeconds(10)).until(() -> outcomes.size() == 4);
            assertThat(pastCapacityRan)
                    .as("the write past the queue's capacity")
                    .isFalse();
            assertThat(outcomes)
                    .containsExactlyInAnyOrder(
                            EventQueue.DROPPED, EventQueue.WRITTEN, EventQueue.WRITTEN, EventQueue.FAILED);
        }
    }

    @Test
    void oneReleaseCannotTakeTheWholeQueue() throws Exception {
        Queue<String> outcomes = new ConcurrentLinkedQueue<>();
        CountDownLatch running = new CountDownLatch(1);
        CountDownLatch release = new CountDownLatch(1);
        try (EventQueue queue = new EventQueue(1, 1000, outcomes::add)) {
            queue.submit("uid-noisy", () -> {
                running.countDown();
                awaitQuietly(release);
                return true;
            });
            assertThat(running.await(10, TimeUnit.SECONDS)).isTrue();
            for (int i = 1; i < EventQueue.PER_RELEASE + 10; i++) {
                queue.submit("uid-noisy", () -> true);
            }
            AtomicBoolean quietWritten = new AtomicBoolean();
            queue.submit("uid-quiet", () -> quietWritten.compareAndSet(false, true));
            assertThat(queue.dropped())
                    .as("past its %d waiting", EventQueue.PER_RELEASE)
                    .isEqualTo(10);
            release.countDown();
            await().atMost(Duration.ofSeconds(10)).untilTrue(quietWritten);
            // a release whose Events were written may queue again
            await().atMost(Duration.ofSeconds(10)).until(() -> outcomes.size() == EventQueue.PER_RELEASE + 10 + 1);
            queue.submit("uid-noisy", () -> true);
            await().atMost(Duration.ofSeconds(10)).until(() -> outcomes.size() == EventQueue.PER_RELEASE + 10 + 2);
            assertThat(queue.dropped()).isEqualTo(10);
        }
    }

    @Test
    void closingWritesWhatWaitsAndDropsWhatComesAfter() throws Exception {
        Queue<String> outcomes = new ConcurrentLinkedQueue<>();
        CountDownLatch release = new CountDownLatch(1);
        EventQueue queue = new EventQueue(2, 100, outcomes::add);
        queue.submit("uid-a", () -> {
            awaitQuietly(release);
            return true;
        });
        for (int i = 0; i < 5; i++) {
            queue.submit(i % 2 == 0 ? "uid-a" : "uid-b", () -> true);
        }
        release.countDown();
        queue.close();
        assertThat(outcomes).hasSize(6).containsOnly(EventQueue.WRITTEN);
        AtomicBoolean ran = new AtomicBoolean();
        assertTimeoutPreemptively(Duration.ofSeconds(5), () -> queue.submit("uid-a", () -> ran.getAndSet(true)));
        assertThat(ran).isFalse();
        assertThat(queue.dropped()).isEqualTo(1);
    }

    private static void awaitQuietly(CountDownLatch latch) {
        try {
            latch.await(30, TimeUnit.SECONDS);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        }
    }
}
