package dev.fledge.core.rollout;

import static org.assertj.core.api.Assertions.assertThat;

import dev.fledge.api.status.ModelReleaseStatus;
import java.time.Duration;
import java.util.List;
import org.junit.jupiter.api.Test;

/** Which analyses may keep their times in memory instead of writing the status (issue 20, goal 1). */
class AnalysisHoldTest {
    static final GatePlan ERRORS = new GatePlan("error-rate", 1, false);

    /** A rollout of 2.0.0 in its internal stage (10 minutes, gates every minute), before its first analysis. */
    private static Rollout inInternalStage() {
        Rollout r = new Rollout(Rollout.plan("2.0.0", List.of(ERRORS))).promotedAt("1.0.0");
        r.ready();
        assertThat(r.status.getStage()).isEqualTo(Stage.INTERNAL.wireName());
        r.ready(); // its routes are in place: the stage's time starts
        assertThat(r.status.getStepWaitingSince()).isNull();
        assertThat(Schedule.analysisDue(r.plan, r.status, r.now)).isTrue();
        return r;
    }

    private static Observation verdict(GateVerdict v) {
        return Observation.of(true, true).withVerdicts(List.of(v));
    }

    private static Observation passes(double value) {
        return verdict(GateVerdict.pass("error-rate", "metric", "0.1% <= 1%").withValue(value));
    }

    @Test
    void anAnalysisThatRepeatsTheStoredVerdictOfThisStageMayBeHeldAndTheEngineReadsItsTimes() {
        Rollout r = inInternalStage();
        ModelReleaseStatus first = r.after(Duration.ofSeconds(1), passes(0.001)).status();
        ModelReleaseStatus second =
                r.after(Duration.ofMinutes(1), passes(0.001)).status();

        assertThat(AnalysisHold.mayHold(r.plan, first, second, r.now)).isTrue();
        assertThat(Schedule.analysisDue(r.plan, second, r.now.plusSeconds(30)))
                .as("with the held status the next analysis is an interval after the held one")
                .isFalse();
        assertThat(Schedule.analysisDue(r.plan, first, r.now.plusSeconds(30)))
                .as("without it (a restart) the engine analyses again at once: sooner, never later")
                .isTrue();
    }

    @Test
    void anAnswerOnItsWayOverAPassedGateIsHeldAndSoIsItsPassingAnswerButNotAFailingOne() {
        Rollout r = inInternalStage();
        ModelReleaseStatus first = r.after(Duration.ofSeconds(1), passes(0.001)).status();
        ModelReleaseStatus asked = r.after(
                        Duration.ofMinutes(1),
                        verdict(GateVerdict.evaluating("error-rate", "metric", "asked Prometheus")))
                .status();
        assertThat(asked.getLastGate()).isEqualTo("error-rate=Inconclusive");
        assertThat(AnalysisHold.mayHold(r.plan, first, asked, r.now)).isTrue();

        Rollout failing = inInternalStage();
        ModelReleaseStatus passed =
                failing.after(Duration.ofSeconds(1), passes(0.001)).status();
        ModelReleaseStatus asking = failing.after(
                        Duration.ofMinutes(1), verdict(GateVerdict.evaluating("error-rate", "metric", "asked")))
                .status();
        assertThat(AnalysisHold.mayHold(failing.plan, passed, asking, failing.now))
                .isTrue();
        ModelReleaseStatus failed = failing.after(
                        Duration.ofSeconds(1),
                        verdict(GateVerdict.fail("error-rate", "metric", "5% > 1%")
                                .withValue(0.05)))
                .status();
        assertThat(AnalysisHold.mayHold(failing.plan, passed, failed, failing.now))
                .isFalse();

        ModelReleaseStatus answered =
                r.after(Duration.ofSeconds(1), passes(0.001)).status();
        assertThat(AnalysisHold.mayHold(r.plan, first, answered, r.now))
                .as("the answer repeats the stored pass: held over the same stored status")
                .isTrue();
    }

    @Test
    void theSameReadingStillOnItsWayAnIntervalLaterMovesOnlyTheAnalysisTimeAndIsHeld() {
        Rollout r = inInternalStage();
        r.after(Duration.ofSeconds(1), passes(0.001));
        r.after(Duration.ofMinutes(1), verdict(GateVerdict.evaluating("error-rate", "metric", "asked at 12:01")));
        ModelReleaseStatus asked = StatusCopy.of(r.status);
        ModelReleaseStatus again = r.after(
                        Duration.ofMinutes(1),
                        verdict(GateVerdict.evaluating("error-rate", "metric", "asked at 12:01")))
                .status();

        assertThat(again.getGates().get(0).getAt())
                .as("the placeholder keeps the time it was first recorded")
                .isEqualTo(asked.getGates().get(0).getAt());
        assertThat(again.getLastAnalysisAt()).isNotEqualTo(asked.getLastAnalysisAt());
        assertThat(AnalysisHold.mayHold(r.plan, asked, again, r.now))
                .as("written, or held, once: not again at every pass while Prometheus is slow")
                .isTrue();
    }

    @Test
    void anAnswerOnItsWayOverAGateThatDidNotPassIsHeldAndItsAnswerWritten() {
        Rollout r = inInternalStage();
        ModelReleaseStatus unsure = r.after(
                        Duration.ofSeconds(1), verdict(GateVerdict.inconclusive("error-rate", "metric", "no data")))
                .status();
        ModelReleaseStatus asked = r.after(
                        Duration.ofMinutes(1),
                        verdict(GateVerdict.evaluating("error-rate", "metric", "asked Prometheus")))
                .status();
        assertThat(AnalysisHold.mayHold(r.plan, unsure, asked, r.now))
                .as("the reading is not an answer yet: nothing new for a reader")
                .isTrue();
        assertThat(r.status.getPhase()).isEqualTo(unsure.getPhase());
        ModelReleaseStatus again = r.after(
                        Duration.ofSeconds(1), verdict(GateVerdict.inconclusive("error-rate", "metric", "no data")))
                .status();
        assertThat(AnalysisHold.mayHold(r.plan, unsure, again, r.now))
                .as("its answer holds the rollout back again: written, so it is seen re-checked")
                .isFalse();
    }

    @Test
    void theFirstAnalysisOfAStageIsWrittenSoReadersSeeTheGatePassedThere() {
        Rollout r = inInternalStage();
        ModelReleaseStatus started = r.status;
        ModelReleaseStatus first = r.after(Duration.ofSeconds(1), passes(0.001)).status();

        assertThat(AnalysisHold.mayHold(r.plan, started, first, r.now)).isFalse();
    }

    /** A rollout whose last pass moved it from its internal stage to closed (every analysis passing). */
    private static Rollout justMovedToClosed() {
        Rollout r = inInternalStage();
        r.after(Duration.ofSeconds(1), passes(0.001));
        while (Stage.INTERNAL.wireName().equals(r.status.getStage())) {
            r.after(Duration.ofMinutes(1), passes(0.001));
        }
        return r;
    }

    /**
     * {@code d}'s status as the reconciler writes it (through {@link StatusWriter}, with the pass's route warnings),
     * which the engine reads in the next pass, written or held.
     */
    private static ModelReleaseStatus finished(Rollout r, Decision d, SpecWarning... waiting) {
        ModelReleaseStatus st = new StatusWriter()
                .finish(new ModelReleaseStatus(), d, 1L, r.now, List.of(waiting))
                .orElseThrow();
        r.status = StatusCopy.of(st);
        return st;
    }

    /** The status of a pass {@code after} on: {@link #finished}. */
    private static ModelReleaseStatus written(Rollout r, Observation obs, Duration after) {
        return finished(r, r.after(after, obs));
    }

    @Test
    void theFirstAnalysisOfAStageStillOnItsWayIsHeldAndTheVerdictItBringsIsWritten() {
        Rollout r = justMovedToClosed();
        ModelReleaseStatus started = written(r, Observation.of(true, true), Duration.ofMillis(300));
        assertThat(started.getStage()).isEqualTo(Stage.CLOSED.wireName());
        assertThat(started.getStepWaitingSince())
                .as("its routes in place: the closed stage's time started")
                .isNull();

        ModelReleaseStatus asked = written(
                r, verdict(GateVerdict.evaluating("error-rate", "metric", "asked Prometheus")), Duration.ofMillis(300));
        assertThat(AnalysisHold.mayHold(r.plan, started, asked, r.now))
                .as("the closed stage's first reading, still on its way: held (a third of bench-operator's writes)")
                .isTrue();
        ModelReleaseStatus answered = written(r, passes(0.001), Duration.ofSeconds(1));
        assertThat(AnalysisHold.mayHold(r.plan, started, answered, r.now))
                .as("its answer is the stage's first verdict: written")
                .isFalse();
    }

    @Test
    void theEndOfAStagesWaitForItsRouteIsWrittenEvenWithAReadingOnItsWay() {
        Rollout r = justMovedToClosed();
        // the pass that moved to closed wrote its route; the Gateway has not accepted it yet
        ModelReleaseStatus entered = finished(
                r,
                r.decisions.get(r.decisions.size() - 1),
                new SpecWarning(Conditions.ROUTE_NOT_ACCEPTED, "WaitingForGateway", "gw has not accepted it yet"));
        ModelReleaseStatus accepted = written(
                r, verdict(GateVerdict.evaluating("error-rate", "metric", "asked Prometheus")), Duration.ofMillis(300));
        assertThat(AnalysisHold.mayHold(r.plan, entered, accepted, r.now))
                .as("RouteNotAccepted gone: what a reader looks for")
                .isFalse();
        ModelReleaseStatus started = written(
                r, verdict(GateVerdict.evaluating("error-rate", "metric", "asked Prometheus")), Duration.ofMillis(300));
        assertThat(started.getStepWaitingSince()).isNull();
        assertThat(AnalysisHold.mayHold(r.plan, accepted, started, r.now))
                .as("the stage's start: written, so that a reading asked before it is not taken as one of the stage")
                .isFalse();
    }

    @Test
    void aChangedValueOrVerdictIsWritten() {
        Rollout r = inInternalStage();
        ModelReleaseStatus first = r.after(Duration.ofSeconds(1), passes(0.001)).status();
        ModelReleaseStatus otherValue =
                r.after(Duration.ofMinutes(1), passes(0.002)).status();
        assertThat(AnalysisHold.mayHold(r.plan, first, otherValue, r.now)).isFalse();

        ModelReleaseStatus inconclusive = r.after(
                        Duration.ofMinutes(1),
                        verdict(GateVerdict.inconclusive("error-rate", "metric", "no data")
                                .withValue(0.002)))
                .status();
        assertThat(AnalysisHold.mayHold(r.plan, otherValue, inconclusive, r.now))
                .isFalse();
        ModelReleaseStatus again = r.after(
                        Duration.ofMinutes(1),
                        verdict(GateVerdict.inconclusive("error-rate", "metric", "no data")
                                .withValue(0.002)))
                .status();
        assertThat(AnalysisHold.mayHold(r.plan, inconclusive, again, r.now))
                .as(
                        "an Inconclusive gate holds the rollout back: each analysis of it is written, so it is seen re-checked")
                .isFalse();
    }

    @Test
    void whileAPlaceholderIsHeldAWarningConditionThatChangesIsWritten() {
        Rollout r = inInternalStage();
        ModelReleaseStatus first = r.after(Duration.ofSeconds(1), passes(0.001)).status();
        Conditions.apply(first, ConditionReason.RolloutInProgress, 1L, r.now, List.of());
        ModelReleaseStatus asked = r.after(
                        Duration.ofMinutes(1),
                        verdict(GateVerdict.evaluating("error-rate", "metric", "asked Prometheus")))
                .status();
        Conditions.apply(asked, ConditionReason.RolloutInProgress, 1L, r.now, List.of());
        assertThat(AnalysisHold.mayHold(r.plan, first, asked, r.now)).isTrue();

        Conditions.apply(
                asked,
                ConditionReason.RolloutInProgress,
                1L,
                r.now,
                List.of(new SpecWarning("RouteNotAccepted", "RouteRefused", "gw refused the route")));
        assertThat(AnalysisHold.mayHold(r.plan, first, asked, r.now)).isFalse();
    }

    @Test
    void storedTimesOlderThanTheHeartbeatAreWrittenAgain() {
        Rollout r = inInternalStage();
        ModelReleaseStatus first = r.after(Duration.ofSeconds(1), passes(0.001)).status();
        ModelReleaseStatus late = r.after(AnalysisHold.HEARTBEAT, passes(0.001)).status();

        assertThat(AnalysisHold.mayHold(r.plan, first, late, r.now)).isFalse();
    }

    @Test
    void theFirstAnalysisOfAPublicStepIsWrittenEvenWithTheVerdictOfTheStepBefore() {
        Rollout r = inInternalStage();
        r.after(Duration.ofSeconds(1), passes(0.001));
        while (!Stage.PUBLIC.wireName().equals(r.status.getStage())) {
            r.after(Duration.ofMinutes(1), passes(0.001));
        }
        String step = String.valueOf(r.status.getStep());
        while (String.valueOf(r.status.getStep()).equals(step)) {
            r.after(Duration.ofMinutes(1), passes(0.001));
        }
        while (r.status.getStepWaitingSince() != null) {
            r.after(Duration.ofSeconds(1), passes(0.001)); // the step starts once its split is in place
        }
        ModelReleaseStatus stepStarted = r.status;
        ModelReleaseStatus firstOfStep =
                r.after(Duration.ofSeconds(1), passes(0.001)).status();

        assertThat(AnalysisHold.mayHold(r.plan, stepStarted, firstOfStep, r.now))
                .isFalse();
        ModelReleaseStatus secondOfStep =
                r.after(Duration.ofMinutes(1), passes(0.001)).status();
        assertThat(AnalysisHold.mayHold(r.plan, firstOfStep, secondOfStep, r.now))
                .isTrue();
    }
}
