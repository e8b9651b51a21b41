package dev.fledge.core.rollout;

import static dev.fledge.core.rollout.StageWaitsForItsRoutesTest.enteringInternal;
import static dev.fledge.core.rollout.StageWaitsForItsRoutesTest.passing;
import static dev.fledge.core.rollout.StageWaitsForItsRoutesTest.routeNotAccepted;
import static org.assertj.core.api.Assertions.assertThat;

import java.time.Instant;
import org.junit.jupiter.api.Test;

/**
 * A stage that waits for its routes has not started: no verdict of the wait counts for it. The pass that finds the
 * routes accepted starts it ({@link RoutesAccepted}), so an analysis in the wait's first interval (where that pass
 * usually falls) asked Prometheus for nothing, and under load cost a placeholder write and a pass for the answer. The
 * stage's first analysis comes an interval after its start, and is the one its hold's end moves on with.
 */
class AnalysisDuringARouteWaitTest {
    private final RolloutEngine engine = new RolloutEngine();

    /** The internal stage entered, its route written, the stored status saying the Gateway has not accepted it. */
    private static Rollout waiting() {
        Rollout r = enteringInternal();
        routeNotAccepted(r, "WaitingForGateway");
        assertThat(r.status.getStepWaitingSince()).isNotNull();
        return r;
    }

    @Test
    void noAnalysisInTheFirstIntervalOfTheWait() {
        Rollout r = waiting();
        Instant since = Instant.parse(r.status.getStepWaitingSince());
        assertThat(Schedule.analysisDue(r.plan, r.status, since.plusSeconds(1)))
                .as("the stage has not started: a reading now cannot count for it")
                .isFalse();
        assertThat(Schedule.analysisDue(
                        r.plan, r.status, since.plus(r.plan.interval()).minusMillis(1)))
                .isFalse();
    }

    /** A Gateway that takes minutes does not stop the canary being watched under the split it still serves. */
    @Test
    void aLongWaitIsAnalysedEveryInterval() {
        Rollout r = waiting();
        Instant since = Instant.parse(r.status.getStepWaitingSince());
        Instant first = since.plus(r.plan.interval());
        assertThat(Schedule.analysisDue(r.plan, r.status, first)).isTrue();

        r.now = first;
        r.status = engine.decide(r.plan, r.status, passing(), r.now).status();
        routeNotAccepted(r, "WaitingForGateway");
        assertThat(r.status.getStepWaitingSince()).as("still waiting").isNotNull();
        assertThat(Schedule.analysisDue(r.plan, r.status, first.plusSeconds(1))).isFalse();
        assertThat(Schedule.analysisDue(r.plan, r.status, first.plus(r.plan.interval())))
                .isTrue();
    }

    /**
     * The pass that finds the routes accepted (here 300 ms into it, after applying them) reads nothing and starts the
     * stage then; the passes after it come when each decision's requeue says, counted from the time it was decided,
     * and analyse every interval; the pass at the hold's end moves on with the last of those readings and asks
     * Prometheus nothing. Counted from the pass's start instead of the time the routes were found accepted, every
     * reading falls 300 ms early, the last one short of the stage's last interval, so one more is taken 300 ms before
     * the hold's end, whose pass then often finds that answer still on its way (under load: an "evaluating"
     * placeholder written, and the stage change left to the pass the answer wakes).
     */
    @Test
    void theStageMovesOnAtItsHoldsEndWithTheReadingsOfItsIntervals() {
        Rollout r = waiting();
        Instant since = Instant.parse(r.status.getStepWaitingSince());
        // the stage before moved on at its hold's end with a reading of its last interval, as these do
        r.status.setLastAnalysisAt(since.minus(r.plan.interval()).toString());
        r.now = since.plusSeconds(2);
        assertThat(Schedule.analysisDue(r.plan, r.status, r.now)).isFalse();
        Observation none = Observation.of(true, true);
        Decision first = engine.decide(r.plan, r.status, none, r.now);
        Instant found = r.now.plusMillis(300);
        Decision started = RoutesAccepted.startWaitingStage(r.plan, r.status, none, found, first)
                .orElseThrow();
        assertThat(Instant.parse(started.status().getStageStartedAt())).isEqualTo(found);
        Instant holdEnd = found.plus(r.plan.stages().get(0).minDuration());

        assertThat(readingsUntil(r, started, found, holdEnd))
                .as("one reading per interval of the stage, none at its end")
                .isEqualTo(r.plan.stages().get(0).minDuration().dividedBy(r.plan.interval()) - 1);
        assertThat(Schedule.analysisDue(r.plan, r.status, holdEnd))
                .as("the reading of the stage's last interval stands at its end")
                .isFalse();
        r.now = holdEnd;
        assertThat(engine.decide(r.plan, r.status, none, r.now).status().getStage())
                .isEqualTo("closed");

        Rollout early = waiting();
        early.status.setLastAnalysisAt(since.minus(early.plan.interval()).toString());
        assertThat(readingsUntil(early, started, found.minusMillis(300), holdEnd))
                .as("counted from the pass's start: the stage's last interval has no reading in it until 300 ms before"
                        + " its end, one reading more, and the pass at the end may find its answer still on its way")
                .isEqualTo(r.plan.stages().get(0).minDuration().dividedBy(r.plan.interval()));
    }

    /**
     * Follows {@code decided} (taken at {@code from}) pass by pass, each at its requeue, until {@code end}; each pass
     * reads the gates when due. Returns how many did.
     */
    private long readingsUntil(Rollout r, Decision decided, Instant from, Instant end) {
        r.status = decided.status();
        Instant at = from.plus(decided.requeueAfter());
        long readings = 0;
        while (at.isBefore(end)) {
            boolean due = Schedule.analysisDue(r.plan, r.status, at);
            readings += due ? 1 : 0;
            Decision d = engine.decide(r.plan, r.status, due ? passing() : Observation.of(true, true), at);
            r.status = d.status();
            r.now = at;
            at = at.plus(d.requeueAfter());
        }
        return readings;
    }
}
