package dev.fledge.core.rollout;

import static org.assertj.core.api.Assertions.assertThat;

import dev.fledge.api.status.Phase;
import dev.fledge.api.status.StageRecord;
import dev.fledge.api.status.Verdict;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Set;
import org.junit.jupiter.api.Nested;
import org.junit.jupiter.api.Test;

class RolloutEngineTest {
    static final Observation READY = Observation.of(true, true);
    static final GatePlan ERRORS = new GatePlan("error-rate", 2, false);
    static final GatePlan SAFETY = new GatePlan("safety", 1, true);

    static Observation verdicts(GateVerdict... v) {
        return READY.withVerdicts(List.of(v));
    }

    @Nested
    class Stages {
        @Test
        void aNewVersionStartsInPreflightWithNoUserTrafficOnTheCanary() {
            Rollout r = new Rollout(Rollout.plan("2.0.0")).promotedAt("1.0.0");
            Decision d = r.step(Observation.of(false, true));
            assertThat(d.status().getPhase()).isEqualTo(Phase.PROGRESSING);
            assertThat(d.status().getStage()).isEqualTo("preflight");
            assertThat(d.status().getCanaryVersion()).isEqualTo("2.0.0");
            assertThat(d.split()).isEqualTo(new TrafficSplit("1.0.0", "2.0.0", Set.of(), 0));
            assertThat(d.reason()).isEqualTo(ConditionReason.WaitingForCanary);
        }

        @Test
        void noStageStartsBeforeTheCanaryIsReady() {
            Rollout r = new Rollout(Rollout.plan("2.0.0")).promotedAt("1.0.0");
            r.step(Observation.of(false, true));
            Decision d = r.after(Duration.ofHours(1), Observation.of(false, true));
            assertThat(d.status().getStage()).isEqualTo("preflight");
            assertThat(r.after(Duration.ofSeconds(1)).status().getStage()).isEqualTo("internal");
        }

        @Test
        void walksInternalClosedAndEveryPublicStepThenPromotes() {
            Rollout r = new Rollout(Rollout.plan("2.0.0")).promotedAt("1.0.0");
            r.ready();
            assertThat(r.ready().split()).isEqualTo(new TrafficSplit("1.0.0", "2.0.0", Set.of("internal"), 0));
            assertThat(r.after(Duration.ofMinutes(10)).split().canaryAudiences())
                    .containsExactlyInAnyOrder("internal", "closed");
            r.ready(); // closed's routes are in place: its 30 minutes start
            List<Integer> weights = new ArrayList<>();
            weights.add(r.after(Duration.ofMinutes(30)).split().publicCanaryWeight());
            for (int i = 0; i < 3; i++) {
                r.ready(); // the step's split is in place: its 10 minutes start
                weights.add(r.after(Duration.ofMinutes(10)).split().publicCanaryWeight());
            }
            assertThat(weights).containsExactly(5, 25, 50, 100);
            r.ready();
            Decision promoting = r.after(Duration.ofMinutes(10), Observation.of(true, false));
            assertThat(promoting.status().getStage()).isEqualTo("promoting");
            assertThat(promoting.split().stableVersion()).isEqualTo("2.0.0");
            assertThat(promoting.split().publicCanaryWeight()).isEqualTo(100);
            Decision done = r.after(Duration.ofSeconds(5));
            assertThat(done.status().getPhase()).isEqualTo(Phase.PROMOTED);
            assertThat(done.status().getStableVersion()).isEqualTo("2.0.0");
            assertThat(done.status().getCanaryVersion()).isNull();
            assertThat(done.split()).isEqualTo(TrafficSplit.stableOnly("2.0.0"));
            assertThat(done.status().getHistory())
                    .extracting(StageRecord::getStage)
                    .containsSubsequence("preflight", "internal", "closed", "public", "promoted");
        }

        @Test
        void minDurationHoldsAStage() {
            Rollout r = new Rollout(Rollout.plan("2.0.0")).promotedAt("1.0.0");
            r.ready();
            r.ready();
            assertThat(r.after(Duration.ofMinutes(9)).status().getStage()).isEqualTo("internal");
            assertThat(r.after(Duration.ofMinutes(1)).status().getStage()).isEqualTo("closed");
        }

        @Test
        void stepDurationHoldsEachPublicStep() {
            Rollout r = new Rollout(Rollout.plan("2.0.0")).promotedAt("1.0.0");
            r.ready();
            r.ready();
            r.after(Duration.ofMinutes(10));
            r.ready(); // closed in place
            r.after(Duration.ofMinutes(30));
            r.ready(); // the step's split is in place: its 10 minutes start
            assertThat(r.after(Duration.ofMinutes(9)).status().getCanaryWeight())
                    .isEqualTo(5);
            assertThat(r.after(Duration.ofMinutes(1)).status().getCanaryWeight())
                    .isEqualTo(25);
        }

        @Test
        void firstReleaseGivesInternalAndClosedTheModelAndThePublicAllOfItAtThePublicStage() {
            Rollout r = new Rollout(Rollout.plan("1.0.0"));
            Decision start = r.step(Observation.of(false, false));
            assertThat(start.split()).isEqualTo(new TrafficSplit(null, "1.0.0", Set.of(), 0));
            r.ready();
            r.ready(); // internal in place
            r.after(Duration.ofMinutes(10));
            r.ready(); // closed in place
            Decision pub = r.after(Duration.ofMinutes(30));
            assertThat(pub.status().getStage()).isEqualTo("public");
            assertThat(pub.split().publicCanaryWeight()).isEqualTo(100);
            r.ready(); // in place
            assertThat(r.after(Duration.ofMinutes(10), Observation.of(true, false))
                            .status()
                            .getStage())
                    .isEqualTo("promoting");
            Decision done = r.after(Duration.ofSeconds(5));
            assertThat(done.status().getPhase()).isEqualTo(Phase.PROMOTED);
            assertThat(done.status().getStableVersion()).isEqualTo("1.0.0");
        }

        @Test
        void aStageLeftOutOfTheSpecIsSkipped() {
            Plan full = Rollout.plan("2.0.0");
            Plan noClosed = new Plan(
                    "2.0.0",
                    List.of(full.stages().get(0), full.stages().get(2)),
                    full.interval(),
                    full.progressDeadline(),
                    false,
                    2,
                    List.of());
            Rollout r = new Rollout(noClosed).promotedAt("1.0.0");
            r.ready();
            r.ready();
            assertThat(r.after(Duration.ofMinutes(10)).status().getStage()).isEqualTo("public");
        }
    }

    @Nested
    class Gates {
        @Test
        void aStageWaitsForEveryGateToPassSinceItBegan() {
            Rollout r = new Rollout(Rollout.plan("2.0.0", List.of(ERRORS))).promotedAt("1.0.0");
            r.ready();
            r.ready();
            Decision noVerdict = r.after(Duration.ofMinutes(11));
            assertThat(noVerdict.status().getStage()).isEqualTo("internal");
            assertThat(noVerdict.status().getMessage()).contains("waiting for gates: error-rate");
            assertThat(r.after(
                                    Duration.ofSeconds(1),
                                    verdicts(GateVerdict.pass("error-rate", "metric", "0.001 <= 0.01")))
                            .status()
                            .getStage())
                    .isEqualTo("closed");
        }

        @Test
        void aPassFromAnEarlierStageDoesNotCount() {
            Rollout r = new Rollout(Rollout.plan("2.0.0", List.of(ERRORS))).promotedAt("1.0.0");
            r.ready();
            r.ready();
            r.after(Duration.ofMinutes(10), verdicts(GateVerdict.pass("error-rate", "metric", "ok")));
            assertThat(r.status.getStage()).isEqualTo("closed");
            assertThat(r.after(Duration.ofMinutes(31)).status().getStage()).isEqualTo("closed");
        }

        @Test
        void preflightRunsOnlyTheGatesMeantForIt() {
            Rollout r = new Rollout(Rollout.plan("2.0.0", List.of(ERRORS, SAFETY))).promotedAt("1.0.0");
            r.ready();
            assertThat(r.status.getStage()).isEqualTo("preflight");
            r.after(Duration.ofSeconds(1), verdicts(GateVerdict.pass("safety", "safety", "suite passed")));
            assertThat(r.status.getStage()).isEqualTo("internal");
        }

        @Test
        void inconclusiveExtendsAStageAndNeverPromotes() {
            Rollout r = new Rollout(Rollout.plan("2.0.0", List.of(ERRORS))).promotedAt("1.0.0");
            r.ready();
            r.ready();
            for (int i = 0; i < 600; i++) {
                r.after(Duration.ofMinutes(1), verdicts(GateVerdict.inconclusive("error-rate", "metric", "no data")));
            }
            assertThat(r.status.getStage()).isEqualTo("internal");
            assertThat(r.status.getPhase()).isEqualTo(Phase.PROGRESSING);
            assertThat(r.status.getGates()).singleElement().satisfies(g -> {
                assertThat(g.getVerdict()).isEqualTo(Verdict.INCONCLUSIVE);
                assertThat(g.getFailures()).isZero();
            });
        }

        @Test
        void aGateRollsBackOnlyWhenItReachesItsFailureLimit() {
            Rollout r = new Rollout(Rollout.plan("2.0.0", List.of(ERRORS))).promotedAt("1.0.0");
            r.ready();
            r.ready();
            Decision once = r.after(
                    Duration.ofMinutes(1),
                    verdicts(GateVerdict.fail("error-rate", "metric", "0.2 > 0.01")
                            .withValue(0.2)));
            assertThat(once.status().getPhase()).isEqualTo(Phase.PROGRESSING);
            assertThat(once.status().getGates().get(0).getFailures()).isEqualTo(1);
            Decision twice = r.after(
                    Duration.ofMinutes(1),
                    verdicts(GateVerdict.fail("error-rate", "metric", "0.3 > 0.01")
                            .withValue(0.3)));
            assertThat(twice.status().getPhase()).isEqualTo(Phase.ROLLED_BACK);
            assertThat(twice.reason()).isEqualTo(ConditionReason.GateFailed);
            assertThat(twice.split()).isEqualTo(TrafficSplit.stableOnly("1.0.0"));
            assertThat(twice.events()).anySatisfy(e -> {
                assertThat(e.warning()).isTrue();
                assertThat(e.reason()).isEqualTo(EventReason.GateFailed);
                assertThat(e.message()).contains("error-rate", "value=0.3");
            });
        }

        @Test
        void aCriticalFailureRollsBackAtOnce() {
            Rollout r =
                    new Rollout(Rollout.plan("2.0.0", List.of(new GatePlan("safety", 5, true)))).promotedAt("1.0.0");
            r.ready();
            Decision d = r.after(
                    Duration.ofSeconds(1),
                    verdicts(GateVerdict.fail("safety", "safety", "1 output flagged self-harm")
                            .asCritical()));
            assertThat(d.status().getPhase()).isEqualTo(Phase.ROLLED_BACK);
            assertThat(d.reason()).isEqualTo(ConditionReason.CriticalGateFailed);
            assertThat(d.status().getRolledBackVersion()).isEqualTo("2.0.0");
        }

        @Test
        void aRolledBackVersionStaysRolledBackUntilRetry() {
            Rollout r = new Rollout(Rollout.plan("2.0.0", List.of(SAFETY))).promotedAt("1.0.0");
            r.ready();
            r.after(Duration.ofSeconds(1), verdicts(GateVerdict.fail("safety", "safety", "flagged")));
            assertThat(r.after(Duration.ofHours(1)).status().getPhase()).isEqualTo(Phase.ROLLED_BACK);
            assertThat(r.status.getCanaryVersion()).isNull();
            Decision retry = r.after(Duration.ofSeconds(1), READY.withAction(ManualAction.RETRY));
            assertThat(retry.status().getPhase()).isEqualTo(Phase.PROGRESSING);
            assertThat(retry.status().getStage()).isEqualTo("preflight");
            assertThat(retry.status().getCanaryVersion()).isEqualTo("2.0.0");
            assertThat(retry.status().getGates()).isEmpty();
            assertThat(retry.actionConsumed()).isTrue();
        }

        @Test
        void aFirstReleaseThatFailsIsFailedNotRolledBack() {
            Rollout r = new Rollout(Rollout.plan("1.0.0", List.of(SAFETY)));
            r.ready();
            Decision d = r.after(Duration.ofSeconds(1), verdicts(GateVerdict.fail("safety", "safety", "flagged")));
            assertThat(d.status().getPhase()).isEqualTo(Phase.FAILED);
            assertThat(d.split()).isEqualTo(TrafficSplit.stableOnly(null));
        }
    }

    @Nested
    class Deadlines {
        @Test
        void aRolloutPastItsDeadlineIsRolledBack() {
            Plan base = Rollout.plan("2.0.0", List.of(ERRORS));
            Plan shortDeadline =
                    new Plan("2.0.0", base.stages(), base.interval(), Duration.ofMinutes(30), false, 2, base.gates());
            Rollout r = new Rollout(shortDeadline).promotedAt("1.0.0");
            r.ready();
            assertThat(r.after(
                                    Duration.ofMinutes(30),
                                    verdicts(GateVerdict.inconclusive("error-rate", "metric", "no data")))
                            .status()
                            .getPhase())
                    .isEqualTo(Phase.PROGRESSING);
            Decision d = r.after(
                    Duration.ofSeconds(1), verdicts(GateVerdict.inconclusive("error-rate", "metric", "no data")));
            assertThat(d.status().getPhase()).isEqualTo(Phase.ROLLED_BACK);
            assertThat(d.reason()).isEqualTo(ConditionReason.ProgressDeadlineExceeded);
        }
    }

    @Nested
    class Pausing {
        @Test
        void pausedHoldsTheStageAndTheDeadline() {
            Rollout r = new Rollout(Rollout.plan("2.0.0")).promotedAt("1.0.0");
            r.ready();
            r.ready();
            Plan p = r.plan;
            r.plan = new Plan(p.version(), p.stages(), p.interval(), Duration.ofHours(1), true, 2, p.gates());
            Decision d = r.after(Duration.ofHours(3));
            assertThat(d.status().getPhase()).isEqualTo(Phase.PAUSED);
            assertThat(d.status().getStage()).isEqualTo("internal");
            assertThat(d.split().canaryAudiences()).containsExactly("internal");
        }

        @Test
        void aFailingGateStillRollsBackWhilePaused() {
            Rollout r = new Rollout(Rollout.plan("2.0.0", List.of(new GatePlan("error-rate", 1, false))))
                    .promotedAt("1.0.0");
            r.ready();
            r.ready();
            Plan p = r.plan;
            r.plan = new Plan(p.version(), p.stages(), p.interval(), p.progressDeadline(), true, 2, p.gates());
            Decision d = r.after(
                    Duration.ofMinutes(1), verdicts(GateVerdict.fail("error-rate", "metric", "too many errors")));
            assertThat(d.status().getPhase()).isEqualTo(Phase.ROLLED_BACK);
        }

        @Test
        void unpausingContinuesWhereItHeld() {
            Rollout r = new Rollout(Rollout.plan("2.0.0")).promotedAt("1.0.0");
            r.ready();
            r.ready();
            Plan p = r.plan;
            r.plan = new Plan(p.version(), p.stages(), p.interval(), p.progressDeadline(), true, 2, p.gates());
            r.after(Duration.ofMinutes(20));
            r.plan = p;
            Decision resumed = r.after(Duration.ofSeconds(1));
            assertThat(resumed.status().getStage()).isEqualTo("closed");
            assertThat(resumed.phaseChange()).isEqualTo(new Decision.PhaseChange("Paused", "Progressing"));
            assertThat(r.eventReasons()).containsSubsequence("Paused", "Resumed");
        }
    }

    @Nested
    class Actions {
        @Test
        void abortRollsBackMidStage() {
            Rollout r = new Rollout(Rollout.plan("2.0.0")).promotedAt("1.0.0");
            r.ready();
            r.ready();
            Decision d = r.after(Duration.ofMinutes(1), READY.withAction(ManualAction.ABORT));
            assertThat(d.status().getPhase()).isEqualTo(Phase.ROLLED_BACK);
            assertThat(d.reason()).isEqualTo(ConditionReason.Aborted);
            assertThat(d.actionConsumed()).isTrue();
            assertThat(d.split()).isEqualTo(TrafficSplit.stableOnly("1.0.0"));
            assertThat(d.status().getHistory()).last().satisfies(h -> {
                assertThat(h.getStage()).isEqualTo("internal");
                assertThat(h.getResult()).isEqualTo("Aborted");
            });
        }

        @Test
        void abortWhilePromotingWithoutARecordedStableConfigurationIsIgnored() {
            Rollout r = new Rollout(Rollout.plan("2.0.0")).promotedAt("1.0.0");
            r.ready();
            r.after(Duration.ofSeconds(1), Observation.of(true, false).withAction(ManualAction.PROMOTE));
            Decision d =
                    r.after(Duration.ofSeconds(1), Observation.of(true, false).withAction(ManualAction.ABORT));
            assertThat(d.status().getStage()).isEqualTo("promoting");
            assertThat(d.status().getPhase()).isEqualTo(Phase.PROGRESSING);
            assertThat(d.events())
                    .anySatisfy(e -> assertThat(e.message()).contains("set spec.model.version back to 1.0.0"));
        }

        @Test
        void promoteSkipsTheRemainingStages() {
            Rollout r = new Rollout(Rollout.plan("2.0.0", List.of(ERRORS))).promotedAt("1.0.0");
            r.ready();
            r.ready();
            Decision d =
                    r.after(Duration.ofMinutes(1), Observation.of(true, false).withAction(ManualAction.PROMOTE));
            assertThat(d.status().getStage()).isEqualTo("promoting");
            assertThat(r.after(Duration.ofSeconds(5)).status().getPhase()).isEqualTo(Phase.PROMOTED);
            assertThat(r.status.getStableVersion()).isEqualTo("2.0.0");
        }

        @Test
        void skipStageMovesToTheNextStageWithoutWaiting() {
            Rollout r = new Rollout(Rollout.plan("2.0.0", List.of(ERRORS))).promotedAt("1.0.0");
            r.ready();
            r.ready();
            Decision d = r.after(Duration.ofSeconds(1), READY.withAction(ManualAction.SKIP_STAGE));
            assertThat(d.status().getStage()).isEqualTo("closed");
            assertThat(d.status().getHistory())
                    .filteredOn(h -> "internal".equals(h.getStage()))
                    .last()
                    .extracting(StageRecord::getResult)
                    .isEqualTo("Skipped");
        }

        @Test
        void retryWithoutARollbackIsIgnoredWithAWarning() {
            Rollout r = new Rollout(Rollout.plan("2.0.0")).promotedAt("1.0.0");
            r.ready();
            Decision d = r.after(Duration.ofSeconds(1), READY.withAction(ManualAction.RETRY));
            assertThat(d.actionConsumed()).isTrue();
            assertThat(d.events()).anySatisfy(e -> assertThat(e.reason()).isEqualTo(EventReason.ActionIgnored));
            assertThat(d.status().getPhase()).isEqualTo(Phase.PROGRESSING);
        }

        @Test
        void anUnknownActionIsConsumedWithAWarning() {
            Rollout r = new Rollout(Rollout.plan("2.0.0")).promotedAt("1.0.0");
            Decision d = r.step(READY.withUnknownAction("yolo"));
            assertThat(d.actionConsumed()).isTrue();
            assertThat(d.events()).anySatisfy(e -> assertThat(e.message()).contains("yolo"));
        }
    }

    @Nested
    class SpecChanges {
        @Test
        void aNewVersionMidRolloutRestartsFromPreflight() {
            Rollout r = new Rollout(Rollout.plan("2.0.0")).promotedAt("1.0.0");
            r.ready();
            r.ready();
            r.after(Duration.ofMinutes(10));
            Plan p = r.plan;
            r.plan = new Plan("3.0.0", p.stages(), p.interval(), p.progressDeadline(), false, 2, p.gates());
            Decision d = r.after(Duration.ofSeconds(1), Observation.of(false, true));
            assertThat(d.status().getCanaryVersion()).isEqualTo("3.0.0");
            assertThat(d.status().getStage()).isEqualTo("preflight");
            assertThat(d.split()).isEqualTo(new TrafficSplit("1.0.0", "3.0.0", Set.of(), 0));
            assertThat(d.status().getHistory()).anySatisfy(h -> {
                assertThat(h.getVersion()).isEqualTo("2.0.0");
                assertThat(h.getResult()).isEqualTo("Superseded");
            });
        }

        @Test
        void revertingTheSpecToStableCancelsTheRollout() {
            Rollout r = new Rollout(Rollout.plan("2.0.0")).promotedAt("1.0.0");
            r.ready();
            r.ready();
            Plan p = r.plan;
            r.plan = new Plan("1.0.0", p.stages(), p.interval(), p.progressDeadline(), false, 2, p.gates());
            Decision d = r.after(Duration.ofSeconds(1));
            assertThat(d.status().getPhase()).isEqualTo(Phase.PROMOTED);
            assertThat(d.split()).isEqualTo(TrafficSplit.stableOnly("1.0.0"));
        }

        @Test
        void theEngineNeverMutatesItsInput() {
            Rollout r = new Rollout(Rollout.plan("2.0.0")).promotedAt("1.0.0");
            var before = r.status;
            new RolloutEngine().decide(r.plan, before, READY, r.now);
            assertThat(before.getCanaryVersion()).isNull();
        }
    }
}
