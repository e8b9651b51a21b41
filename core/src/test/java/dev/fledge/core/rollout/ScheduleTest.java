package dev.fledge.core.rollout;

import static org.assertj.core.api.Assertions.assertThat;

import dev.fledge.api.status.ModelReleaseStatus;
import io.fabric8.kubernetes.api.model.ConditionBuilder;
import java.time.Duration;
import java.time.Instant;
import java.util.List;
import java.util.function.Predicate;
import org.junit.jupiter.api.Test;

class ScheduleTest {
    static final GatePlan ERRORS = new GatePlan("error-rate", 1, false);

    @Test
    void gatesAreDueAtTheStartOfEachStageAndThenEveryInterval() {
        Rollout r = new Rollout(Rollout.plan("2.0.0", List.of(ERRORS))).promotedAt("1.0.0");
        r.step(Observation.of(false, true));
        assertThat(Schedule.analysisDue(r.plan, r.status, r.now))
                .as("metric gates skip preflight")
                .isFalse();
        r.ready();
        assertThat(Schedule.analysisDue(r.plan, r.status, r.now)).isTrue();
        r.after(
                Duration.ofSeconds(1),
                Observation.of(true, true).withVerdicts(List.of(GateVerdict.pass("error-rate", "metric", "ok"))));
        assertThat(Schedule.analysisDue(r.plan, r.status, r.now))
                .as("this pass started the stage (its routes in place): a reading taken as it started is not of it")
                .isTrue();
        r.after(
                Duration.ofSeconds(1),
                Observation.of(true, true).withVerdicts(List.of(GateVerdict.pass("error-rate", "metric", "ok"))));
        assertThat(Schedule.analysisDue(r.plan, r.status, r.now.plusSeconds(59)))
                .isFalse();
        assertThat(Schedule.analysisDue(r.plan, r.status, r.now.plusSeconds(60)))
                .isTrue();
    }

    @Test
    void requeueWakesForTheNextHoldOrAnalysisWhicheverComesFirst() {
        Rollout r = new Rollout(Rollout.plan("2.0.0")).promotedAt("1.0.0");
        r.ready();
        Decision d = r.ready();
        assertThat(d.requeueAfter()).isEqualTo(Duration.ofMinutes(1));
        assertThat(new Rollout(Rollout.plan("1.0.0"))
                        .promotedAt("1.0.0")
                        .decisions
                        .get(0)
                        .requeueAfter())
                .isNotNull();
    }

    @Test
    void aHoldEndingInLessThanHalfASecondIsWokenForNotSkipped() {
        Rollout r = new Rollout(Rollout.plan("2.0.0", List.of(ERRORS))).promotedAt("1.0.0");
        r.ready();
        r.ready();
        Decision d = r.after(
                Duration.ofMinutes(10).minusMillis(300),
                Observation.of(true, true).withVerdicts(List.of(GateVerdict.pass("error-rate", "metric", "ok"))));

        assertThat(d.status().getStage()).isEqualTo(Stage.INTERNAL.wireName());
        assertThat(d.requeueAfter()).isEqualTo(Duration.ofMillis(300));
    }

    @Test
    void aSteadyReleaseIsNotRequeued() {
        Rollout r = new Rollout(Rollout.plan("1.0.0")).promotedAt("1.0.0");
        assertThat(r.ready().requeueAfter()).isNull();
    }

    @Test
    void theDeadlineRunsFromTheRolloutStartOnlyWhileARolloutIsUnderWayAndNotPaused() {
        Rollout r = new Rollout(Rollout.plan("2.0.0")).promotedAt("1.0.0");
        assertThat(Schedule.deadline(Rollout.plan("1.0.0"), r.status))
                .as("nothing to roll out")
                .isEmpty();

        r.ready();
        assertThat(Schedule.deadline(r.plan, r.status))
                .contains(Instant.parse(r.status.getRolloutStartedAt()).plus(Duration.ofHours(24)));
        Plan paused = new Plan(
                r.plan.version(),
                r.plan.stages(),
                r.plan.interval(),
                r.plan.progressDeadline(),
                true,
                r.plan.replicas(),
                r.plan.gates());
        assertThat(Schedule.deadline(paused, r.status)).isEmpty();
    }

    /**
     * The hold of internal (10 min, analysis every minute) ends at start + 600 s; the last analysis before it, at
     * start + 570 s, passed. A pass that comes at start + 640 s (held back in the reconcile queue) moves on on that
     * verdict, as one at start + 600 s would have: it does not ask Prometheus again and wait for a second pass.
     */
    @Test
    void aPassAMomentAfterTheHoldEndsMovesOnOnThePassThatStoodThenWithoutAnotherAnalysis() {
        Rollout r = internalWithAVerdictAt(570, GateVerdict.pass("error-rate", "metric", "ok"));
        Instant start = Instant.parse(r.status.getStageStartedAt());

        assertThat(Schedule.analysisDue(r.plan, r.status, start.plusSeconds(640)))
                .as("the analysis due at 630 s is not made")
                .isFalse();
        r.now = start.plusSeconds(640);
        assertThat(r.step(Observation.of(true, true)).status().getStage()).isEqualTo(Stage.CLOSED.wireName());
    }

    @Test
    void aPassAWholeIntervalAfterTheHoldEndsAnalysesFirst() {
        Rollout r = internalWithAVerdictAt(570, GateVerdict.pass("error-rate", "metric", "ok"));
        Instant start = Instant.parse(r.status.getStageStartedAt());

        assertThat(Schedule.analysisDue(r.plan, r.status, start.plusSeconds(660)))
                .isTrue();
    }

    @Test
    void aPassGivenMoreThanAnIntervalBeforeTheHoldEndsIsNotEnoughToMoveOnWithout() {
        Rollout r = internalWithAVerdictAt(530, GateVerdict.pass("error-rate", "metric", "ok"));
        Instant start = Instant.parse(r.status.getStageStartedAt());

        assertThat(Schedule.analysisDue(r.plan, r.status, start.plusSeconds(600)))
                .isTrue();
    }

    @Test
    void aVerdictOtherThanPassAtTheHoldEndIsAnalysedAgainWhenDue() {
        for (GateVerdict v : List.of(
                GateVerdict.inconclusive("error-rate", "metric", "no data"),
                GateVerdict.evaluating("error-rate", "metric", "asked Prometheus"))) {
            Rollout r = internalWithAVerdictAt(570, v);
            Instant start = Instant.parse(r.status.getStageStartedAt());

            assertThat(Schedule.analysisDue(r.plan, r.status, start.plusSeconds(640)))
                    .as(v.toString())
                    .isTrue();
        }
    }

    @Test
    void aPublicStepMovesOnAtItsHoldEndOnTheVerdictThatStoodThen() {
        Rollout r = internalWithAVerdictAt(570, GateVerdict.pass("error-rate", "metric", "ok"));
        r.now = Instant.parse(r.status.getStageStartedAt()).plusSeconds(600);
        Instant step = passedIntoItsStep(r, Duration.ofSeconds(1), Stage.PUBLIC.wireName()::equals, st -> true);

        assertThat(Schedule.analysisDue(r.plan, r.status, step.plusSeconds(640)))
                .isFalse();
        r.now = step.plusSeconds(640);
        assertThat(r.step(Observation.of(true, true)).status().getStep()).isEqualTo(1);
    }

    @Test
    void theLastPublicStepAnalysesAgainAtItsHoldEndBeforePromoting() {
        Rollout r = internalWithAVerdictAt(570, GateVerdict.pass("error-rate", "metric", "ok"));
        r.now = Instant.parse(r.status.getStageStartedAt()).plusSeconds(600);
        Instant step = passedIntoItsStep(r, Duration.ofMinutes(1), stage -> true, Integer.valueOf(3)::equals);

        assertThat(Schedule.analysisDue(r.plan, r.status, step.plusSeconds(640)))
                .as("the promotion rests on a verdict of the last step's end")
                .isTrue();
    }

    @Test
    void aPausedRolloutAnalysesWhenDueAtItsHoldEnd() {
        Rollout r = internalWithAVerdictAt(570, GateVerdict.pass("error-rate", "metric", "ok"));
        Plan paused = new Plan(
                r.plan.version(),
                r.plan.stages(),
                r.plan.interval(),
                r.plan.progressDeadline(),
                true,
                r.plan.replicas(),
                r.plan.gates());

        assertThat(Schedule.analysisDue(
                        paused,
                        r.status,
                        Instant.parse(r.status.getStageStartedAt()).plusSeconds(640)))
                .as("it does not move on: its gates run as they would")
                .isTrue();
    }

    @Test
    void evidenceThatCameOffTheReconcileThreadIsWeighedWhereTheHoldEndWouldNotAnalyse() {
        Rollout r = internalWithAVerdictAt(570, GateVerdict.pass("error-rate", "metric", "ok"));
        Instant start = Instant.parse(r.status.getStageStartedAt());

        for (long at : List.of(580L, 640L)) {
            assertThat(Schedule.gatesDue(r.plan, r.status, start.plusSeconds(at), false))
                    .as("not woken, at %d s", at)
                    .isFalse();
            assertThat(Schedule.gatesDue(r.plan, r.status, start.plusSeconds(at), true))
                    .as("woken (a suite run ended, an answer came), at %d s", at)
                    .isTrue();
        }
        assertThat(Schedule.gatesDue(Rollout.plan("2.0.0"), r.status, start.plusSeconds(640), true))
                .as("no gates to run")
                .isFalse();
    }

    @Test
    void theLastStageOfAPlanWithoutPublicAnalysesAgainAtItsHoldEnd() {
        Plan twoStages = new Plan(
                "2.0.0",
                List.of(
                        new StagePlan(Stage.INTERNAL, Duration.ofMinutes(10), List.of(), Duration.ZERO),
                        new StagePlan(Stage.CLOSED, Duration.ofMinutes(10), List.of(), Duration.ZERO)),
                Duration.ofMinutes(1),
                Duration.ofHours(24),
                false,
                2,
                List.of(ERRORS));
        Rollout r = internalWithAVerdictAt(570, GateVerdict.pass("error-rate", "metric", "ok"));
        r.plan = twoStages;
        Instant start = Instant.parse(r.status.getStageStartedAt());
        assertThat(Schedule.analysisDue(r.plan, r.status, start.plusSeconds(640)))
                .as("internal: closed comes next")
                .isFalse();

        r.status.setStage(Stage.CLOSED.wireName());
        assertThat(Schedule.analysisDue(r.plan, r.status, start.plusSeconds(640)))
                .as("closed: promoting comes next")
                .isTrue();
    }

    @Test
    void aFirstReleasesOnlyPublicStepAnalysesAgainAtItsHoldEnd() {
        Rollout r = new Rollout(Rollout.plan("1.0.0", List.of(ERRORS)));
        r.ready();
        Instant step = passedIntoItsStep(r, Duration.ofMinutes(1), Stage.PUBLIC.wireName()::equals, st -> true);
        assertThat(r.status.getStableVersion()).isNull();

        assertThat(Schedule.analysisDue(r.plan, r.status, step.plusSeconds(640)))
                .as("a first release has one public step, its last")
                .isTrue();
    }

    @Test
    void aStageHeldByItsRoutesItsCapacityOrWaitingForItsSplitAnalysesWhenDue() {
        Rollout r = internalWithAVerdictAt(570, GateVerdict.pass("error-rate", "metric", "ok"));
        Instant at = Instant.parse(r.status.getStageStartedAt()).plusSeconds(640);
        assertThat(Schedule.analysisDue(r.plan, r.status, at)).isFalse();

        ModelReleaseStatus routes = StatusCopy.of(r.status);
        routes.setConditions(List.of(new ConditionBuilder()
                .withType(Conditions.ROUTE_NOT_ACCEPTED)
                .withStatus("True")
                .withReason("WaitingForGateway")
                .build()));
        assertThat(Schedule.analysisDue(r.plan, routes, at))
                .as("a route not accepted")
                .isTrue();

        ModelReleaseStatus waiting = StatusCopy.of(r.status);
        waiting.setStepWaitingSince(r.status.getStageStartedAt());
        assertThat(Schedule.analysisDue(r.plan, waiting, at))
                .as("waiting for its split")
                .isTrue();
    }

    @Test
    void aPublicStepHeldForCanaryCapacityAnalysesWhenDue() {
        Rollout r = internalWithAVerdictAt(570, GateVerdict.pass("error-rate", "metric", "ok"));
        r.now = Instant.parse(r.status.getStageStartedAt()).plusSeconds(600);
        Instant step = passedIntoItsStep(r, Duration.ofSeconds(1), Stage.PUBLIC.wireName()::equals, st -> true);
        assertThat(Schedule.analysisDue(r.plan, r.status, step.plusSeconds(640)))
                .isFalse();

        r.status.setCanaryHeldWeight(0);
        assertThat(Schedule.analysisDue(r.plan, r.status, step.plusSeconds(640)))
                .isTrue();
    }

    /**
     * Walks {@code r} on, passing every {@code tick}, until its stage and step are as asked and the step has started
     * (its split in place); then a Pass 570 s into that step. Returns the step's start.
     */
    private static Instant passedIntoItsStep(
            Rollout r, Duration tick, Predicate<String> stage, Predicate<Integer> stepIndex) {
        Observation pass =
                Observation.of(true, true).withVerdicts(List.of(GateVerdict.pass("error-rate", "metric", "ok")));
        while (!stage.test(r.status.getStage())
                || !stepIndex.test(r.status.getStep())
                || r.status.getStepWaitingSince() != null) {
            r.after(tick, pass);
        }
        Instant step = Instant.parse(r.status.getStepStartedAt());
        r.now = step.plusSeconds(570);
        r.step(pass);
        return step;
    }

    /** Internal started (its routes in place), analysed at its start and then {@code seconds} after it with {@code v}. */
    private static Rollout internalWithAVerdictAt(long seconds, GateVerdict v) {
        Rollout r = new Rollout(Rollout.plan("2.0.0", List.of(ERRORS))).promotedAt("1.0.0");
        r.ready();
        Observation pass =
                Observation.of(true, true).withVerdicts(List.of(GateVerdict.pass("error-rate", "metric", "ok")));
        r.after(Duration.ofSeconds(1), pass);
        r.after(Duration.ofSeconds(1), pass);
        assertThat(r.status.getStage()).isEqualTo(Stage.INTERNAL.wireName());
        assertThat(r.status.getStepWaitingSince()).isNull();
        r.now = Instant.parse(r.status.getStageStartedAt()).plusSeconds(seconds);
        r.step(Observation.of(true, true).withVerdicts(List.of(v)));
        return r;
    }
}
