package dev.fledge.operator;

import static org.assertj.core.api.Assertions.assertThat;

import dev.fledge.api.status.ModelReleaseStatus;
import dev.fledge.api.status.Phase;
import dev.fledge.operator.routing.AcceptanceWatch;
import java.time.Duration;
import java.time.Instant;
import java.util.List;
import org.junit.jupiter.api.Test;

/** How soon a release is looked at again after a pass. */
class RequeueTest {
    static final Instant NOW = Instant.parse("2026-12-05T06:00:00Z");
    static final Instant END = NOW.plusMillis(300); // the pass took 300 ms

    static ModelReleaseStatus waiting(Phase phase) {
        ModelReleaseStatus st = new ModelReleaseStatus().withPhase(phase).withStage("internal");
        st.setStepWaitingSince(NOW.toString());
        return st;
    }

    static Requeue pass(ModelReleaseStatus decided, Duration engine) {
        return new Requeue(engine, null, null, null, decided, true, List.of(), false);
    }

    @Test
    void aStageWhoseSplitThisPassPutInPlaceIsLookedAtAgainSoonToStartIt() {
        assertThat(pass(waiting(Phase.PROGRESSING), Duration.ofSeconds(30)).after(NOW, END))
                .isEqualTo(ModelReleaseReconciler.ACCEPTANCE_RETRY.minusMillis(300));
    }

    /**
     * A paused stage does not start, so there is nothing to look at soon: before, a release paused while it waited
     * for its routes was reconciled every 2 s for the whole pause.
     */
    @Test
    void aPausedReleaseWaitingForItsSplitIsNotLookedAtEveryTwoSeconds() {
        assertThat(pass(waiting(Phase.PAUSED), null).after(NOW, END)).isNull();
        assertThat(pass(waiting(Phase.PAUSED), Duration.ofMinutes(5)).after(NOW, END))
                .isEqualTo(Duration.ofMinutes(5).minusMillis(300));
    }

    @Test
    void theEnginesDelayCountsFromThePassesStartAndNeverBelowAtOnce() {
        ModelReleaseStatus st = new ModelReleaseStatus().withPhase(Phase.PROGRESSING);
        assertThat(pass(st, Duration.ofSeconds(5)).after(NOW, END)).isEqualTo(Duration.ofMillis(4700));
        assertThat(pass(st, Duration.ofMillis(100)).after(NOW, END)).isEqualTo(Requeue.AT_ONCE);
        assertThat(pass(st, null).after(NOW, END)).isNull();
    }

    /**
     * A stage started when its routes were found accepted, 200 ms into a pass of 300 ms: the engine's delay counts from
     * then, so its next analysis comes an interval after the stage's start, not 200 ms before. A drain that ended
     * during the pass, before that moment, is still looked at at once.
     */
    @Test
    void theEnginesDelayCountsFromTheTimeItDecidedAt() {
        ModelReleaseStatus st = new ModelReleaseStatus().withPhase(Phase.PROGRESSING);
        Instant found = NOW.plusMillis(200);
        assertThat(pass(st, Duration.ofSeconds(5)).after(NOW, found, END))
                .as("END + this = found + 5 s")
                .isEqualTo(Duration.ofMillis(4900));
        Requeue draining =
                new Requeue(Duration.ofSeconds(5), NOW.plusMillis(100), null, null, st, true, List.of(), false);
        assertThat(draining.after(NOW, found, END)).isEqualTo(Requeue.AT_ONCE);
    }

    @Test
    void aRouteWaitingForItsGatewayIsLookedAtSoonAndLessOftenOnceReported() {
        ModelReleaseStatus st = new ModelReleaseStatus().withPhase(Phase.PROGRESSING);
        Requeue fresh = new Requeue(null, null, null, null, st, true, List.of(Duration.ofSeconds(1)), false);
        Requeue reported = new Requeue(null, null, null, null, st, true, List.of(AcceptanceWatch.WARN_AFTER), false);
        assertThat(fresh.after(NOW, END)).isEqualTo(ModelReleaseReconciler.ACCEPTANCE_RETRY);
        assertThat(reported.after(NOW, END)).isEqualTo(ModelReleaseReconciler.DRIFT_RETRY);
    }

    @Test
    void driftAndAHeldWeightAreLookedAtAgainWithinTheDriftRetry() {
        ModelReleaseStatus st = new ModelReleaseStatus().withPhase(Phase.PROMOTED);
        assertThat(new Requeue(null, null, null, null, st, true, List.of(), true).after(NOW, END))
                .isEqualTo(ModelReleaseReconciler.DRIFT_RETRY);
        assertThat(new Requeue(Duration.ofMinutes(1), null, null, 25, st, true, List.of(), false).after(NOW, END))
                .isEqualTo(ModelReleaseReconciler.DRIFT_RETRY.minusMillis(300));
    }

    @Test
    void theDrainAndTheHoldWakeTheReleaseWhenTheyEnd() {
        ModelReleaseStatus st = new ModelReleaseStatus().withPhase(Phase.PROMOTED);
        assertThat(new Requeue(null, NOW.plusSeconds(40), NOW.plusSeconds(20), null, st, true, List.of(), false)
                        .after(NOW, END))
                .isEqualTo(Duration.ofSeconds(20).minusMillis(300));
        assertThat(new Requeue(null, NOW.minusSeconds(1), null, null, st, true, List.of(), false).after(NOW, END))
                .as("a time already past wakes nothing")
                .isNull();
    }
}
