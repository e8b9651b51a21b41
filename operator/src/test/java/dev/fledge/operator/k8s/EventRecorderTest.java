package dev.fledge.operator.k8s;

import static org.assertj.core.api.Assertions.assertThat;

import dev.fledge.api.ModelRelease;
import dev.fledge.core.rollout.EventReason;
import dev.fledge.core.rollout.RolloutEvent;
import dev.fledge.operator.mock.MovableClock;
import dev.fledge.testsupport.ApplyTolerantCrudDispatcher;
import io.fabric8.kubernetes.api.model.Event;
import io.fabric8.kubernetes.api.model.ObjectMetaBuilder;
import io.fabric8.kubernetes.client.KubernetesClient;
import io.fabric8.kubernetes.client.server.mock.KubernetesMockServer;
import io.fabric8.mockwebserver.Context;
import io.fabric8.mockwebserver.MockWebServer;
import io.fabric8.mockwebserver.http.MockResponse;
import io.fabric8.mockwebserver.http.RecordedRequest;
import java.time.Duration;
import java.time.Instant;
import java.util.Comparator;
import java.util.HashMap;
import java.util.List;
import java.util.concurrent.atomic.AtomicBoolean;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

/**
 * Events as {@code kubectl describe} shows them: a repeat of an event (same release, type, reason and message) is
 * counted on the Event recorded first, not written as another.
 */
class EventRecorderTest {
    private static final RolloutEvent REFUSED = new RolloutEvent(
            EventReason.RouteDrift, "the closed decision is recorded, but a write failed (403); retrying");

    private final MovableClock clock = new MovableClock();
    /** While true, the API server answers a PATCH of an Event with 403 (an RBAC rule without {@code patch}). */
    private final AtomicBoolean refusePatches = new AtomicBoolean();

    private KubernetesMockServer server;
    private KubernetesClient client;
    private EventRecorder events;

    @BeforeEach
    void start() {
        server = new KubernetesMockServer(
                new Context(),
                new MockWebServer(),
                new HashMap<>(),
                new ApplyTolerantCrudDispatcher() {
                    @Override
                    public MockResponse handlePatch(RecordedRequest request) {
                        if (refusePatches.get() && request.getPath().contains("/events/")) {
                            return new MockResponse().setResponseCode(403);
                        }
                        return super.handlePatch(request);
                    }
                },
                false);
        server.init();
        client = server.createClient();
        events = new EventRecorder(client, clock);
    }

    @AfterEach
    void stop() {
        client.close();
        server.destroy();
    }

    static ModelRelease release(String name) {
        ModelRelease mr = new ModelRelease();
        mr.setMetadata(new ObjectMetaBuilder()
                .withNamespace("team-a")
                .withName(name)
                .withUid("uid-" + name)
                .build());
        return mr;
    }

    private List<Event> stored() {
        return client.v1().events().inNamespace("team-a").list().getItems().stream()
                .sorted(Comparator.comparing(e -> e.getInvolvedObject().getName() + e.getMessage()))
                .toList();
    }

    @Test
    void aRepeatIsCountedOnTheFirstEventWithItsLastTime() {
        ModelRelease mr = release("assistant");
        Instant first = clock.instant();
        events.record(mr, REFUSED);
        clock.advance(Duration.ofSeconds(30));
        events.record(mr, REFUSED);
        clock.advance(Duration.ofSeconds(30));
        events.record(mr, REFUSED);

        List<Event> stored = stored();
        assertThat(stored).hasSize(1);
        Event e = stored.get(0);
        assertThat(e.getCount()).isEqualTo(3);
        assertThat(e.getType()).isEqualTo("Warning");
        assertThat(Instant.parse(e.getLastTimestamp()))
                .isAfterOrEqualTo(first.plusSeconds(59))
                .isAfter(Instant.parse(e.getFirstTimestamp()));
    }

    @Test
    void anotherMessageAnotherReleaseOrAnEventGoneMakeANewEvent() {
        ModelRelease mr = release("assistant");
        events.record(mr, REFUSED);
        events.record(mr, new RolloutEvent(EventReason.StageStarted, "stage closed started for 2.0.0"));
        events.record(release("assistant-2"), REFUSED);
        assertThat(stored()).hasSize(3).allSatisfy(e -> assertThat(e.getCount()).isEqualTo(1));

        client.v1().events().inNamespace("team-a").delete();
        events.record(mr, REFUSED);
        assertThat(stored())
                .as("the Event counted on is gone (expired): a new one")
                .singleElement()
                .satisfies(e -> assertThat(e.getCount()).isEqualTo(1));
        events.record(mr, REFUSED);
        assertThat(stored())
                .singleElement()
                .satisfies(e -> assertThat(e.getCount()).isEqualTo(2));
    }

    @Test
    void aRepeatWhoseCountIsRefusedIsRecordedAsANewEventNotLost() {
        ModelRelease mr = release("assistant");
        events.record(mr, REFUSED);
        refusePatches.set(true);

        events.record(mr, REFUSED);

        assertThat(stored())
                .as("the repeat the API server would not count on the first Event")
                .hasSize(2)
                .allSatisfy(e -> assertThat(e.getCount()).isEqualTo(1));
        refusePatches.set(false);
        events.record(mr, REFUSED);
        assertThat(stored())
                .extracting(Event::getCount)
                .as("later repeats are counted on the newer Event")
                .containsExactlyInAnyOrder(1, 2);
    }
}
