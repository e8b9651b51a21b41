package dev.fledge.core.rollout;

import static org.assertj.core.api.Assertions.assertThat;

import dev.fledge.api.spec.MirrorSource;
import dev.fledge.api.spec.StageName;
import dev.fledge.api.spec.StageSpec;
import dev.fledge.api.status.Phase;
import dev.fledge.api.status.Verdict;
import java.time.Duration;
import java.util.List;
import org.junit.jupiter.api.Test;

/**
 * The opt-in shadow stage (issue 18): after preflight, before internal, the route mirrors a share of live requests to
 * the canary, whose answers reach no one; it ends on the evidence of its gates, never on time alone.
 */
class ShadowStageTest {
    static final Observation READY = Observation.of(true, true);
    static final GatePlan SAFETY = new GatePlan("safety", 1, true);
    static final GatePlan ERRORS = new GatePlan("error-rate", 1, false);
    static final GatePlan FEEDBACK = new GatePlan("feedback", 1, false);

    static Plan plan(List<GatePlan> gates) {
        return new Plan(
                "2.0.0",
                List.of(
                        new StagePlan(
                                Stage.SHADOW, Duration.ofMinutes(10), List.of(), Duration.ZERO, 20, List.of("public")),
                        new StagePlan(Stage.INTERNAL, Duration.ofMinutes(10), List.of(), Duration.ZERO),
                        new StagePlan(Stage.PUBLIC, Duration.ZERO, List.of(50, 100), Duration.ofMinutes(10))),
                Duration.ofMinutes(1),
                Duration.ofHours(24),
                false,
                2,
                gates);
    }

    static Observation verdicts(GateVerdict... v) {
        return READY.withVerdicts(List.of(v));
    }

    /** A rollout of 2.0.0 over 1.0.0 that passed preflight and is in the shadow stage. */
    static Rollout inShadow(List<GatePlan> gates) {
        Rollout r = new Rollout(plan(gates)).promotedAt("1.0.0");
        r.ready();
        r.after(Duration.ofSeconds(1), verdicts(GateVerdict.pass("safety", "safety", "suite passed")));
        assertThat(r.status.getStage()).isEqualTo("shadow");
        return r;
    }

    @Test
    void theShadowStageMirrorsItsShareToTheCanaryAndSendsNoUserToIt() {
        Rollout r = inShadow(List.of(SAFETY));
        Decision d = r.decisions.get(r.decisions.size() - 1);
        assertThat(d.split().canaryAudiences()).isEmpty();
        assertThat(d.split().publicCanaryWeight()).isZero();
        assertThat(d.split().sendsNoUsersToCanary()).isTrue();
        assertThat(d.split().mirrors("public")).isEqualTo(20);
        assertThat(d.split().mirrors("internal")).isZero();
        assertThat(d.split().mirrorsAny()).isTrue();
        TrafficSplit unmirrored = d.split().withoutMirror();
        assertThat(unmirrored.mirrorsAny()).isFalse();
        assertThat(unmirrored.mirrors("public")).isZero();
        assertThat(unmirrored)
                .as("the same users on the same tracks, only the copies gone")
                .usingRecursiveComparison()
                .ignoringFields("mirrorPercent", "mirrorFrom")
                .isEqualTo(d.split());
        assertThat(d.status().getMirrorPercent()).isEqualTo(20);
        assertThat(d.status().getMirrorFrom()).containsExactly("public");
        assertThat(d.events()).anySatisfy(e -> assertThat(e.reason()).isEqualTo(EventReason.StageStarted));
    }

    @Test
    void timeAloneDoesNotEndTheShadowStageNorDoesThePreflightPass() {
        Rollout r = inShadow(List.of(SAFETY));
        Decision d = r.after(Duration.ofHours(3));
        assertThat(d.status().getStage()).isEqualTo("shadow");
        assertThat(d.split().mirrors("public")).isEqualTo(20);
    }

    @Test
    void theShadowStagePassesOnEvidenceAndStopsMirroring() {
        Rollout r = inShadow(List.of(SAFETY, ERRORS));
        r.ready(); // the mirror is in place: the stage's time starts
        Decision d = r.after(
                Duration.ofMinutes(10),
                verdicts(
                        GateVerdict.pass("safety", "safety", "live 0/400 flagged (shadow)"),
                        GateVerdict.pass("error-rate", "metric", "0.001 <= 0.01")));
        assertThat(d.status().getStage()).isEqualTo("internal");
        assertThat(d.split().canaryAudiences()).containsExactly("internal");
        assertThat(d.split().mirrors("public")).isZero();
        assertThat(d.status().getMirrorPercent()).isNull();
        assertThat(d.status().getMirrorFrom()).isNull();
        assertThat(d.status().getHistory()).anySatisfy(h -> {
            assertThat(h.getStage()).isEqualTo("shadow");
            assertThat(h.getResult()).isEqualTo("Passed");
        });
    }

    @Test
    void evidenceBeforeTheMinimumTimeHoldsTheStageUntilItHasPassed() {
        Rollout r = inShadow(List.of(SAFETY));
        r.ready(); // the mirror is in place: the stage's time starts
        Decision early = r.after(Duration.ofMinutes(2), verdicts(GateVerdict.pass("safety", "safety", "ok")));
        assertThat(early.status().getStage()).isEqualTo("shadow");
        assertThat(r.after(Duration.ofMinutes(9)).status().getStage()).isEqualTo("internal");
    }

    @Test
    void theFeedbackGateDoesNotRunInTheShadowStageWhereNoUserSeesAnOutput() {
        Plan p = plan(List.of(SAFETY, FEEDBACK));
        assertThat(p.gatesFor(Stage.SHADOW)).extracting(GatePlan::name).containsExactly("safety");
        assertThat(p.gatesFor(Stage.INTERNAL)).extracting(GatePlan::name).containsExactly("safety", "feedback");
        Rollout r = inShadow(List.of(SAFETY, FEEDBACK));
        r.ready(); // the mirror is in place: the stage's time starts
        Decision d = r.after(Duration.ofMinutes(10), verdicts(GateVerdict.pass("safety", "safety", "ok")));
        assertThat(d.status().getStage()).isEqualTo("internal");
    }

    @Test
    void inconclusiveEvidenceHoldsTheShadowStageWithoutFailures() {
        Rollout r = inShadow(List.of(SAFETY));
        for (int i = 0; i < 120; i++) {
            r.after(
                    Duration.ofMinutes(1),
                    verdicts(GateVerdict.inconclusive("safety", "safety", "waiting for live outputs: 12 of 100")));
        }
        assertThat(r.status.getStage()).isEqualTo("shadow");
        assertThat(r.status.getPhase()).isEqualTo(Phase.PROGRESSING);
        assertThat(r.status.getMirrorPercent()).isEqualTo(20);
        assertThat(r.status.getGates()).singleElement().satisfies(g -> {
            assertThat(g.getVerdict()).isEqualTo(Verdict.INCONCLUSIVE);
            assertThat(g.getFailures()).isZero();
        });
    }

    @Test
    void harmFoundInTheShadowStageRollsBackBeforeAnyUserSeesTheCanary() {
        Rollout r = inShadow(List.of(SAFETY));
        Decision d = r.after(
                Duration.ofMinutes(3), verdicts(GateVerdict.fail("safety", "safety", "live 9/150 flagged (shadow)")));
        assertThat(d.status().getPhase()).isEqualTo(Phase.ROLLED_BACK);
        assertThat(d.status().getRolledBackVersion()).isEqualTo("2.0.0");
        assertThat(d.split()).isEqualTo(TrafficSplit.stableOnly("1.0.0"));
        assertThat(d.split().mirrors("public")).isZero();
        assertThat(d.status().getMirrorPercent()).isNull();
        assertThat(d.status().getHistory()).anySatisfy(h -> {
            assertThat(h.getStage()).isEqualTo("shadow");
            assertThat(h.getResult()).isEqualTo("Failed");
        });
        // no decision of this rollout ever sent a user to the canary
        int started = 0;
        while (!"2.0.0".equals(r.decisions.get(started).split().canaryVersion())) {
            started++;
        }
        assertThat(r.decisions.subList(started, r.decisions.size()))
                .hasSize(3)
                .allSatisfy(x -> assertThat(x.split().sendsNoUsersToCanary()).isTrue());
    }

    @Test
    void aCriticalFlagOnShadowTrafficRollsBackAtOnce() {
        Rollout r = inShadow(List.of(new GatePlan("safety", 5, true)));
        Decision d = r.after(
                Duration.ofSeconds(30),
                verdicts(GateVerdict.fail("safety", "safety", "critical category [S1] flagged in live outputs")
                        .asCritical()));
        assertThat(d.status().getPhase()).isEqualTo(Phase.ROLLED_BACK);
        assertThat(d.reason()).isEqualTo(ConditionReason.CriticalGateFailed);
    }

    @Test
    void anInvalidSpecInTheShadowStageStopsTheMirror() {
        Rollout r = inShadow(List.of(SAFETY));
        Decision d = r.after(Duration.ofSeconds(5), Observation.invalid(List.of("spec.server.template: not allowed")));
        assertThat(d.status().getPhase()).isEqualTo(Phase.INVALID);
        assertThat(d.split().mirrors("public")).isZero();
        assertThat(d.split().canaryVersion()).isEqualTo("2.0.0");
    }

    @Test
    void anAbortInTheShadowStageStopsTheMirror() {
        Rollout r = inShadow(List.of(SAFETY));
        Decision d = r.after(Duration.ofSeconds(5), READY.withAction(ManualAction.ABORT));
        assertThat(d.status().getPhase()).isEqualTo(Phase.ROLLED_BACK);
        assertThat(d.split().mirrors("public")).isZero();
        assertThat(d.split().mirrorsAny()).isFalse();
        assertThat(d.status().getMirrorFrom()).isNull();
    }

    @Test
    void withoutAShadowStagePreflightLeadsToInternalAndNothingIsMirrored() {
        Rollout r = new Rollout(Rollout.plan("2.0.0", List.of(SAFETY))).promotedAt("1.0.0");
        r.ready();
        Decision d = r.after(Duration.ofSeconds(1), verdicts(GateVerdict.pass("safety", "safety", "suite passed")));
        assertThat(d.status().getStage()).isEqualTo("internal");
        assertThat(r.decisions).allSatisfy(x -> {
            assertThat(x.split().mirrors("public")).isZero();
            assertThat(x.split().mirrors("internal")).isZero();
            assertThat(x.status().getMirrorPercent()).isNull();
        });
        assertThat(r.decisions)
                .flatExtracting(x -> x.status().getHistory())
                .noneSatisfy(h -> assertThat(h.getStage()).isEqualTo("shadow"));
    }

    @Test
    void aFirstReleaseSkipsTheShadowStageForNoStableServesRequestsToMirror() {
        Rollout r = new Rollout(plan(List.of()));
        Decision d = r.ready();
        assertThat(d.status().getStage()).isEqualTo("internal");
        assertThat(r.decisions)
                .allSatisfy(x -> assertThat(x.split().mirrors("public")).isZero());
    }

    @Test
    void theResolverReadsTheShadowStageWithItsDefaults() {
        Plan p = new PlanResolver(Duration.ofMinutes(1))
                .resolve(PlanResolverTest.spec()
                        .withStages(List.of(
                                new StageSpec()
                                        .withName(StageName.SHADOW)
                                        .withMirrorFrom(List.of(MirrorSource.PUBLIC, MirrorSource.INTERNAL)),
                                new StageSpec().withName(StageName.PUBLIC))));
        StagePlan shadow = p.stage(Stage.SHADOW).orElseThrow();
        assertThat(shadow.mirrorPercent()).isEqualTo(PlanResolver.DEFAULT_MIRROR_PERCENT);
        assertThat(shadow.mirrorFrom()).containsExactly("public", "internal");
        assertThat(shadow.minDuration()).isEqualTo(PlanResolver.DEFAULT_SHADOW);
        assertThat(p.after(Stage.PREFLIGHT).orElseThrow().stage()).isEqualTo(Stage.SHADOW);
        assertThat(p.after(Stage.SHADOW).orElseThrow().stage()).isEqualTo(Stage.PUBLIC);
    }
}
