package dev.fledge.core.rollout;

import static org.assertj.core.api.Assertions.assertThat;

import java.time.Duration;
import java.time.Instant;
import java.util.List;
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
}
