package dev.fledge.core.rollout;

import static dev.fledge.core.rollout.StageWaitsForItsRoutesTest.enteringInternal;
import static dev.fledge.core.rollout.StageWaitsForItsRoutesTest.passing;
import static dev.fledge.core.rollout.StageWaitsForItsRoutesTest.routeNotAccepted;
import static org.assertj.core.api.Assertions.assertThat;

import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import org.junit.jupiter.api.Test;

/**
 * A stage that waits for its routes has not started: its hold cannot end on a reading of the wait. The pass that finds
 * the routes accepted starts it ({@link RoutesAccepted}) after its own readings, so the reading at once that a stage's
 * start asks for is not taken in the wait (under load it cost a placeholder write and a pass for the answer); readings
 * there keep the interval from the last one, so the canary stays read across the stage change. Once started, the
 * stage's readings fall in its own intervals and the one of its last interval stands at its end.
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

    /** The pass that entered the stage read the gates: the next reading in the wait is an interval after it. */
    @Test
    void noReadingAtOnceInTheWaitButAnIntervalAfterTheLast() {
        Rollout r = waiting();
        Instant since = Instant.parse(r.status.getStepWaitingSince());
        assertThat(r.status.getLastAnalysisAt()).isEqualTo(since.toString());
        assertThat(Schedule.analysisDue(r.plan, r.status, since.plusSeconds(1)))
                .as("the stage has not started, and the canary was read an interval ago at most")
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
     * The stage before moved on at its hold's end with a reading of its last interval, so a reading is owed in the
     * wait: the pass that finds the routes accepted (here 300 ms into it, after applying them) reads, and the canary
     * stays read every interval across the stage change. The stage starts after that reading; the passes after it come
     * when each decision's requeue says, counted from the time it was decided, and read every interval; the pass at the
     * hold's end moves on with the last of those readings and asks Prometheus nothing. Counted from the pass's start
     * instead, every reading falls 300 ms early, the last one short of the stage's last interval, so one more is taken
     * 300 ms before the hold's end, whose pass then often finds that answer still on its way (under load: an
     * "evaluating" placeholder written, and the stage change left to the pass the answer wakes).
     */
    @Test
    void theStageMovesOnAtItsHoldsEndWithTheReadingsOfItsIntervals() {
        Rollout r = waiting();
        Instant since = Instant.parse(r.status.getStepWaitingSince());
        Duration interval = r.plan.interval();
        r.status.setLastAnalysisAt(since.minus(interval).plusSeconds(1).toString());
        r.now = since.plusSeconds(2);
        Instant inWait = r.now;
        assertThat(Schedule.analysisDue(r.plan, r.status, r.now))
                .as("an interval since the last reading: the canary is read in the wait too")
                .isTrue();
        Decision first = engine.decide(r.plan, r.status, passing(), r.now);
        Instant found = r.now.plusMillis(300);
        Decision started = RoutesAccepted.startWaitingStage(r.plan, r.status, passing(), found, first)
                .orElseThrow();
        assertThat(Instant.parse(started.status().getStageStartedAt())).isEqualTo(found);
        Instant holdEnd = found.plus(r.plan.stages().get(0).minDuration());
        long intervals = r.plan.stages().get(0).minDuration().dividedBy(interval);

        List<Instant> readings = readingsUntil(r, started, found, holdEnd);
        assertThat(readings)
                .as("one reading per interval of the stage, none at its end")
                .hasSize((int) intervals - 1);
        assertThat(gaps(since.minus(interval).plusSeconds(1), inWait, readings))
                .as("the canary read every interval (and the pass that found the route accepted 2 s into the wait)")
                .allMatch(gap -> gap.compareTo(interval.plusSeconds(1)) <= 0);
        assertThat(Schedule.analysisDue(r.plan, r.status, holdEnd))
                .as("the reading of the stage's last interval stands at its end")
                .isFalse();
        r.now = holdEnd;
        assertThat(engine.decide(r.plan, r.status, Observation.of(true, true), r.now)
                        .status()
                        .getStage())
                .isEqualTo("closed");

        Rollout early = waiting();
        assertThat(readingsUntil(early, started, found.minusMillis(300), holdEnd))
                .as("counted from the pass's start: the stage's last interval has no reading in it until 300 ms before"
                        + " its end, one reading more, and the pass at the end may find its answer still on its way")
                .hasSize((int) intervals);
    }

    /**
     * The pass that moved the stage on read the gates itself (its hold's end came with no standing reading), so none is
     * owed in the wait: the pass that finds the routes accepted reads nothing, and the stage's readings keep the
     * interval from that last one.
     */
    @Test
    void aWaitAfterAReadingStartsTheStageWithoutOne() {
        Rollout r = waiting();
        Instant since = Instant.parse(r.status.getStepWaitingSince());
        assertThat(r.status.getLastAnalysisAt())
                .as("read in the pass that entered the stage")
                .isEqualTo(since.toString());
        r.now = since.plusSeconds(2);
        assertThat(Schedule.analysisDue(r.plan, r.status, r.now)).isFalse();
        Observation none = Observation.of(true, true);
        Instant found = r.now.plusMillis(300);
        Decision started = RoutesAccepted.startWaitingStage(
                        r.plan, r.status, none, found, engine.decide(r.plan, r.status, none, r.now))
                .orElseThrow();
        Instant holdEnd = found.plus(r.plan.stages().get(0).minDuration());

        List<Instant> readings = readingsUntil(r, started, found, holdEnd);
        assertThat(gaps(since, since, readings)).allMatch(gap -> gap.compareTo(r.plan.interval()) <= 0);
        assertThat(Schedule.analysisDue(r.plan, r.status, holdEnd)).isFalse();
        r.now = holdEnd;
        assertThat(engine.decide(r.plan, r.status, none, r.now).status().getStage())
                .isEqualTo("closed");
    }

    /**
     * Follows {@code decided} (taken at {@code from}) pass by pass, each at its requeue, until {@code end}; each pass
     * reads the gates when due. Returns the times of those readings.
     */
    private List<Instant> readingsUntil(Rollout r, Decision decided, Instant from, Instant end) {
        r.status = decided.status();
        Instant at = from.plus(decided.requeueAfter());
        List<Instant> readings = new ArrayList<>();
        while (at.isBefore(end)) {
            boolean due = Schedule.analysisDue(r.plan, r.status, at);
            if (due) {
                readings.add(at);
            }
            Decision d = engine.decide(r.plan, r.status, due ? passing() : Observation.of(true, true), at);
            r.status = d.status();
            r.now = at;
            at = at.plus(d.requeueAfter());
        }
        return readings;
    }

    /** The time between each reading and the one before, from the readings {@code before} on. */
    private static List<Duration> gaps(Instant before, Instant inWait, List<Instant> readings) {
        List<Instant> all = new ArrayList<>(List.of(before, inWait));
        all.addAll(readings);
        List<Duration> out = new ArrayList<>();
        for (int k = 1; k < all.size(); k++) {
            out.add(Duration.between(all.get(k - 1), all.get(k)));
        }
        return out;
    }
}
