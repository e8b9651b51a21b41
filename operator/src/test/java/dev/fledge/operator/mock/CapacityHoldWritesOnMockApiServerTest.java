package dev.fledge.operator.mock;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import dev.fledge.api.ModelRelease;
import dev.fledge.api.spec.DynamicStableScaleSpec;
import dev.fledge.api.status.ModelReleaseStatus;
import dev.fledge.api.status.Phase;
import java.time.Duration;
import java.util.concurrent.atomic.AtomicInteger;
import org.junit.jupiter.api.Test;

/**
 * The capacity hold when a status write fails or the spec turns Invalid during it: the routes keep the canary's share
 * until stable is whole and ready, bounded by the deadline, and the size to restore is the last valid one. Split from
 * {@link CanaryCapacityOnMockApiServerTest} (same fixture) so the two run in separate test JVMs.
 */
class CapacityHoldWritesOnMockApiServerTest extends CanaryCapacityFixture {
    @Test
    void aRollbackWhoseSecondStatusWriteFailsStillKeepsTheCanarysShareUntilStableIsWhole() {
        atFiftyPercent();
        kubelet.close(); // from here on the test says when pods are ready
        int from = samples.size();
        // the rollback's pass writes its status twice: the decision before anything moves, then what the routes did;
        // the second write fails (as a restart inside that pass would lose it)
        AtomicInteger rolledBackWrites = new AtomicInteger();
        api.failNext(
                1,
                409,
                r -> r.isStatusPatch("modelreleases", "assistant")
                        && r.body().contains("RolledBack")
                        && rolledBackWrites.incrementAndGet() == 2);
        clock.advance(Duration.ofMinutes(11)); // the deadline passes: a rollback
        poke();
        awaitStatus(s -> s.getPhase() == Phase.ROLLED_BACK);
        await().atMost(SETTLE).until(() -> api.failuresServed() == 1 && replicas("assistant-stable") == 4);
        pause(Duration.ofSeconds(2)); // the retried passes
        assertThat(lastSample().weight())
                .as("stable has 3 of 4 pods ready: the route keeps the canary's share")
                .isEqualTo(50);
        ModelReleaseStatus held = status();
        assertThat(held.getCanaryHeldWeight()).isEqualTo(50);
        assertThat(held.getCanaryHeldSince()).isNotNull();

        markReady("assistant-stable", 4);
        await().atMost(Duration.ofSeconds(20)).until(() -> lastSample().weight() == 0);
        sampling = false;
        noTrafficBackBeforeStableIsWhole(from, 50);
    }

    @Test
    void aRollbackThatCannotBeStoredHoldsForAtMostTheDeadlineAndSaysWhereTheUsersAre() {
        atFiftyPercent();
        kubelet.close(); // from here on the test says when pods are ready
        // every status write that would record the rollback is refused (a schema 422, a webhook)
        api.failNext(
                1_000_000,
                422,
                r -> r.isStatusPatch("modelreleases", "assistant") && r.body().contains("RolledBack"));
        clock.advance(Duration.ofMinutes(11)); // the deadline passes: a rollback
        poke();
        await().atMost(Duration.ofSeconds(20)).until(() -> api.failuresServed() > 0 && hasEvent("RouteDrift"));
        pause(Duration.ofSeconds(1));
        assertThat(lastSample().weight())
                .as("stable has 3 of 4 pods ready: the route keeps the canary's share")
                .isEqualTo(50);
        assertThat(events("RouteDrift"))
                .as("the event says where the users are")
                .anySatisfy(m -> assertThat(m).contains("could not be stored", "keep 50% of public traffic"))
                .noneSatisfy(m -> assertThat(m).contains("its users were sent to stable"));
        assertThat(status().getPhase()).as("not stored").isNotEqualTo(Phase.ROLLED_BACK);

        clock.advance(Duration.ofMinutes(11)); // progressDeadline from the hold's start, unstored as it is
        poke();
        await().atMost(Duration.ofSeconds(20)).until(() -> lastSample().weight() == 0);
        assertThat(lastSample().stableReady()).isEqualTo(3);
    }

    @Test
    void onACrdThatPrunesCanaryHeldSinceTheHoldIsStillBoundedByTheDeadline() {
        api.pruning = true;
        rolledBackAndHeld();
        ModelReleaseStatus held = awaitStatus(s -> "WaitingForStable".equals(condition(s, "CapacityHold")));
        assertThat(held.getCanaryHeldSince()).as("pruned by the API server").isNull();
        pause(Duration.ofSeconds(1));
        assertThat(lastSample().weight()).isEqualTo(50);

        clock.advance(Duration.ofMinutes(11)); // progressDeadline (10m) from the hold's start
        poke();
        await().atMost(Duration.ofSeconds(20)).until(() -> lastSample().weight() == 0);
        assertThat(lastSample().stableReady()).isEqualTo(3);
        awaitStatus(s -> "StableShort".equals(condition(s, "CapacityHold")));
    }

    @Test
    void anInvalidSpecWithAnUnreadableDeadlineAndMoreReplicasHoldsWithTheDefaultBoundAtTheLastValidSize() {
        atFiftyPercent();
        kubelet.close(); // from here on the test says when pods are ready
        int from = samples.size();
        edit(r -> {
            r.getSpec().setProgressDeadline("soon"); // invalid
            r.getSpec().getServer().setReplicas(8); // from a spec that failed validation: not a size to grow to
        });
        ModelReleaseStatus st = awaitStatus(
                s -> s.getPhase() == Phase.INVALID && "WaitingForStable".equals(condition(s, "CapacityHold")));
        assertThat(st.getConditions())
                .filteredOn(c -> "CapacityHold".equals(c.getType()))
                .singleElement()
                .satisfies(
                        c -> assertThat(c.getMessage()).contains("spec.progressDeadline soon is unreadable", "120m"));
        await().atMost(SETTLE).until(() -> replicas("assistant-stable") == 4);
        pause(Duration.ofSeconds(1));
        assertThat(replicas("assistant-stable"))
                .as("the size the release last ran")
                .isEqualTo(4);
        assertThat(lastSample().weight()).isEqualTo(50);

        markReady("assistant-stable", 4);
        await().atMost(Duration.ofSeconds(20)).until(() -> lastSample().weight() == 0);
        sampling = false;
        noTrafficBackBeforeStableIsWhole(from, 50);
        assertThat(replicas("assistant-stable")).isEqualTo(4);
    }

    @Test
    void anInvalidEditThatDropsReplicasAndRaisesTheSurgeStillHoldsUntilStableIsBackAtTheLastValidSize() {
        atFiftyPercent();
        assertThat(status().getCapacity().getReplicas()).isEqualTo(4);
        kubelet.close();
        int from = samples.size();
        edit(r -> {
            r.getSpec().getTraffic().setScaleDownDelay("2h"); // invalid: at most 1h
            // neither is to be trusted from a spec that failed validation: without replicas the default is 2, and a
            // surge of 100 (the schema's maximum) would make the last valid size look like stable's 3 pods
            r.getSpec().getServer().setReplicas(null);
            r.getSpec().getServer().setDynamicStableScale(new DynamicStableScaleSpec().withSurge(100));
        });
        awaitStatus(s -> s.getPhase() == Phase.INVALID);
        await().atMost(SETTLE).until(() -> replicas("assistant-stable") == 4);
        pause(Duration.ofSeconds(1));
        assertThat(lastSample())
                .as("stable has 3 of 4 pods ready: the route keeps the canary's share")
                .isEqualTo(new Sample(4, 3, 2, 2, 50));
        assertThat(status().getCapacity().getReplicas())
                .as("an Invalid pass keeps the record")
                .isEqualTo(4);

        markReady("assistant-stable", 4);
        await().atMost(Duration.ofSeconds(20)).until(() -> lastSample().weight() == 0);
        sampling = false;
        noTrafficBackBeforeStableIsWhole(from, 50);
    }

    @Test
    void aReleaseThatTurnsInvalidWithDynamicStableScaleKeepsTheCanarysShareUntilStableIsWholeAndReady() {
        atFiftyPercent();
        kubelet.close();
        int from = samples.size();
        edit(r -> r.getSpec().getTraffic().setScaleDownDelay("2h")); // invalid: at most 1h
        awaitStatus(s -> s.getPhase() == Phase.INVALID);
        await().atMost(SETTLE).until(() -> replicas("assistant-stable") == 4);
        pause(Duration.ofSeconds(1));
        assertThat(lastSample())
                .as("stable has 3 of 4 pods ready: the route keeps the canary's share")
                .isEqualTo(new Sample(4, 3, 2, 2, 50));
        ModelReleaseStatus held = status();
        assertThat(held.getCanaryHeldWeight()).isEqualTo(50);
        assertThat(held.getCanaryHeldSince()).isNotNull();
        assertThat(condition(held, "CapacityHold")).isEqualTo("WaitingForStable");

        markReady("assistant-stable", 4);
        await().atMost(Duration.ofSeconds(20)).until(() -> lastSample().weight() == 0);
        ModelReleaseStatus back = awaitStatus(s -> s.getPhase() == Phase.INVALID && s.getCanaryHeldWeight() == null);
        sampling = false;
        assertThat(back.getCanaryHeldSince()).isNull();
        assertThat(condition(back, "CapacityHold")).isNull();
        noTrafficBackBeforeStableIsWhole(from, 50);
    }

    @Test
    void aValidEditThatDropsTheCapacityFieldsDuringAHoldKeepsTheCanarysShareUntilStableIsWhole() {
        rolledBackAndHeld();
        int from = samples.size();
        // the SRE takes server.canary and dynamicStableScale out while the routes hold 50% on the canary: a valid spec,
        // but the hold in progress is not over (stable has 3 of 4 pods ready)
        edit(r -> {
            r.getSpec().getServer().setCanary(null);
            r.getSpec().getServer().setDynamicStableScale(null);
        });
        awaitStatus(s -> s.getObservedGeneration() != null
                && s.getObservedGeneration()
                        .equals(client.resources(ModelRelease.class)
                                .inNamespace(Releases.NS)
                                .withName("assistant")
                                .get()
                                .getMetadata()
                                .getGeneration()));
        poke();
        pause(Duration.ofSeconds(2));
        assertThat(lastSample())
                .as("stable has 3 of 4 pods ready: the route keeps the canary's share")
                .isEqualTo(new Sample(4, 3, 2, 2, 50));
        assertThat(status().getCanaryHeldWeight()).isEqualTo(50);
        assertThat(status().getCapacity().getReplicas())
                .as("still recorded while the hold goes on, for an Invalid edit that may follow")
                .isEqualTo(4);

        markReady("assistant-stable", 4);
        await().atMost(Duration.ofSeconds(20)).until(() -> lastSample().weight() == 0);
        ModelReleaseStatus back = awaitStatus(s -> s.getCanaryHeldWeight() == null);
        sampling = false;
        assertThat(back.getPhase()).isEqualTo(Phase.ROLLED_BACK);
        noTrafficBackBeforeStableIsWhole(from, 50);
    }

    @Test
    void anInvalidEditWhoseStatusCannotBeStoredDuringAStoredHoldKeepsTheCanarysShareUntilStableIsWhole() {
        rolledBackAndHeld();
        assertThat(status().getCanaryHeldSince()).isNotNull();
        int from = samples.size();
        anInvalidEditWhoseStatusIsRefused();
        pause(Duration.ofSeconds(2));
        assertThat(lastSample())
                .as("stable has 3 of 4 pods ready: the route keeps the canary's share")
                .isEqualTo(new Sample(4, 3, 2, 2, 50));

        markReady("assistant-stable", 4);
        await().atMost(Duration.ofSeconds(20)).until(() -> lastSample().weight() == 0);
        sampling = false;
        noTrafficBackBeforeStableIsWhole(from, 50);
    }

    @Test
    void anInvalidEditWhoseStatusCannotBeStoredStillEndsTheStoredHoldAtItsDeadline() {
        rolledBackAndHeld();
        anInvalidEditWhoseStatusIsRefused();
        pause(Duration.ofSeconds(1));
        assertThat(lastSample().weight()).isEqualTo(50);

        clock.advance(Duration.ofMinutes(11)); // progressDeadline (10m) from the stored start
        poke();
        // past the stored hold's deadline everyone goes to stable, though nothing could be stored
        await().atMost(SETTLE).until(() -> lastSample().weight() == 0);
        assertThat(lastSample().stableReady()).isEqualTo(3);
    }

    /**
     * Every status write that would record the Invalid phase is refused (a webhook, a 422), then an edit makes the
     * spec invalid; returns once two such writes were refused.
     */
    void anInvalidEditWhoseStatusIsRefused() {
        api.failNext(
                1_000_000,
                422,
                r -> r.isStatusPatch("modelreleases", "assistant") && r.body().contains("Invalid"));
        edit(r -> r.getSpec().getTraffic().setScaleDownDelay("2h")); // invalid: at most 1h
        await().atMost(SETTLE).until(() -> api.failuresServed() >= 2);
    }
}
