package dev.fledge.core.rollout;

import static dev.fledge.core.rollout.StageWaitsForItsRoutesTest.SUITE_PASSES;
import static dev.fledge.core.rollout.StageWaitsForItsRoutesTest.enteringInternal;
import static dev.fledge.core.rollout.StageWaitsForItsRoutesTest.passing;
import static org.assertj.core.api.Assertions.assertThat;

import dev.fledge.api.status.GateResult;
import java.time.Duration;
import java.time.Instant;
import org.junit.jupiter.api.Test;

/**
 * A gate's verdict counts from when its evidence was read, not from the pass that writes it down. A Prometheus answer
 * that comes after the asking pass's wait is taken by a later pass (woken by the answer, or queued behind others under
 * load): recorded at that pass's time, a reading from before the stage's last interval stood as the reading of that
 * interval, and the stage moved on at its hold's end on it without the canary being read in its last interval.
 */
class AReadingCountsFromWhenItWasReadTest {

    /** The internal stage started (its routes in place). */
    private static Rollout started() {
        Rollout r = enteringInternal();
        r.after(Duration.ofSeconds(1), passing()); // the routes are in place: the stage starts
        assertThat(r.status.getStepWaitingSince()).isNull();
        return r;
    }

    private static GateResult suite(Rollout r) {
        return r.status.getGates().stream()
                .filter(g -> g.getName().equals(SUITE_PASSES.name()))
                .findFirst()
                .orElseThrow();
    }

    @Test
    void aReadingFromBeforeTheLastIntervalDoesNotMoveTheStageOnAtItsHoldsEnd() {
        Rollout r = started();
        Instant start = Instant.parse(r.status.getStageStartedAt());
        Duration interval = r.plan.interval();
        Instant holdEnd = start.plus(r.plan.stages().get(0).minDuration());
        Instant read = holdEnd.minus(interval).minusSeconds(20);
        for (Instant t = start.plus(interval); t.isBefore(read.minus(interval)); t = t.plus(interval)) {
            r.now = t;
            r.step(passing());
        }
        // read 20 s before the stage's last interval; its answer taken by a pass 10 s into that interval
        r.now = holdEnd.minus(interval).plusSeconds(10);
        r.step(RolloutEngineTest.verdicts(SUITE_PASSES.withReadAt(read)));
        assertThat(Schedule.movesOnAtHoldEnd(r.plan, r.status, holdEnd))
                .as("the canary was not read in the stage's last interval")
                .isFalse();
        assertThat(Schedule.analysisDue(r.plan, r.status, read.plus(interval)))
                .as("the next reading is due an interval after the last was read, not after it was written down")
                .isTrue();
        assertThat(Instant.parse(suite(r).getAt())).as("recorded as read").isEqualTo(read);
        assertThat(Instant.parse(r.status.getLastAnalysisAt()))
                .as("the analysis is as old as its reading")
                .isEqualTo(read);
        r.now = holdEnd;
        assertThat(Schedule.analysisDue(r.plan, r.status, holdEnd)).isTrue();
        assertThat(r.step(RolloutEngineTest.verdicts(GateVerdict.evaluating("safety", "safety", "asked")))
                        .status()
                        .getStage())
                .as("the pass at the hold's end reads the canary, and the stage waits for that reading")
                .isEqualTo("internal");
        r.now = holdEnd.plusSeconds(1);
        assertThat(r.step(passing()).status().getStage())
                .as("and moves on with it")
                .isEqualTo("closed");
    }

    @Test
    void aReadingOfTheLastIntervalTakenLaterStillMovesItOn() {
        Rollout r = started();
        Instant start = Instant.parse(r.status.getStageStartedAt());
        Duration interval = r.plan.interval();
        Instant holdEnd = start.plus(r.plan.stages().get(0).minDuration());
        Instant read = holdEnd.minus(interval).plusSeconds(5);
        r.now = read.plusSeconds(20);
        r.step(RolloutEngineTest.verdicts(SUITE_PASSES.withReadAt(read)));

        assertThat(Schedule.movesOnAtHoldEnd(r.plan, r.status, holdEnd)).isTrue();
        r.now = holdEnd;
        assertThat(r.step(Observation.of(true, true)).status().getStage()).isEqualTo("closed");
    }

    @Test
    void aReadingIsNeverRecordedAfterThePassThatTakesIt() {
        Rollout r = started();
        r.now = r.now.plus(r.plan.interval());
        // read by the pass's own wait for the answer, a moment after the pass's now: the pass's time stands
        r.step(RolloutEngineTest.verdicts(SUITE_PASSES.withReadAt(r.now.plusMillis(40))));
        assertThat(Instant.parse(suite(r).getAt())).isEqualTo(r.now);

        r.now = r.now.plus(r.plan.interval());
        r.step(passing()); // read by the pass itself
        assertThat(Instant.parse(suite(r).getAt())).isEqualTo(r.now);
    }
}
