package dev.fledge.core.rollout;

import static org.assertj.core.api.Assertions.assertThat;

import dev.fledge.api.status.Phase;
import io.fabric8.kubernetes.api.model.ConditionBuilder;
import java.time.Duration;
import java.time.Instant;
import java.util.List;
import org.junit.jupiter.api.Test;

/**
 * A public step's time counts from when its split is in place: a canary that took longer than {@code stepDuration} to
 * get ready for a larger share (or a route held below the weight, or not yet accepted, or a late first look) must not
 * make the step pass at once, having served its full weight for no time. A step that has started keeps its time
 * through a later readiness dip.
 */
class PublicStepInPlaceTest {
    static final Observation CANARY_SHORT = Observation.of(false, true);
    static final GateVerdict ERRORS_PASS = GateVerdict.pass("error-rate", "metric", "0.001 <= 0.01");

    /** 2.0.0 entering the public step at 25% (stepDuration 10m) in the last pass, which moved no traffic yet. */
    static Rollout enteringTwentyFivePercent() {
        Rollout r = new Rollout(Rollout.plan("2.0.0", List.of(RolloutEngineTest.ERRORS))).promotedAt("1.0.0");
        r.step(passing());
        r.step(passing()); // internal
        r.after(Duration.ofMinutes(10), passing()); // closed, waiting for its routes
        r.after(Duration.ofSeconds(1), passing()); // closed in place: started
        r.after(Duration.ofMinutes(30), passing()); // public 5%, waiting for its split
        r.after(Duration.ofSeconds(1), passing()); // 5% in place: started
        assertThat(r.status.getCanaryWeight()).isEqualTo(5);
        assertThat(r.status.getStepWaitingSince()).isNull();
        r.after(Duration.ofMinutes(10), passing());
        assertThat(r.status.getCanaryWeight()).isEqualTo(25);
        assertThat(r.status.getStepWaitingSince())
                .as("the pass that decides a step has moved no traffic yet")
                .isEqualTo(r.now.toString());
        return r;
    }

    static Observation passing() {
        return RolloutEngineTest.verdicts(ERRORS_PASS);
    }

    /** The next passes, 10m apart less one second, then one second: 25% until the step's 10m are up, then 50%. */
    static void stepRunsItsFullTime(Rollout r) {
        Instant started = Instant.parse(r.status.getStepStartedAt());
        assertThat(r.after(Duration.ofMinutes(10).minusSeconds(1), passing())
                        .status()
                        .getCanaryWeight())
                .isEqualTo(25);
        assertThat(r.after(Duration.ofSeconds(1), passing()).status().getCanaryWeight())
                .isEqualTo(50);
        assertThat(Duration.between(started, r.now)).isEqualTo(Duration.ofMinutes(10));
    }

    @Test
    void aCanarySlowToGetReadyForItsShareStillServesItForTheWholeStep() {
        Rollout r = enteringTwentyFivePercent();
        String stageStart = r.status.getStageStartedAt();
        String waiting = r.status.getStepWaitingSince();
        // the canary's pods for 25% take 15 minutes to get ready (stepDuration is 10m)
        for (int i = 0; i < 3; i++) {
            Decision d = r.after(Duration.ofMinutes(5), CANARY_SHORT);
            assertThat(d.reason()).isEqualTo(ConditionReason.WaitingForCanary);
            assertThat(d.status().getStepWaitingSince())
                    .as("set once: the status does not change at every pass of the wait")
                    .isEqualTo(waiting);
        }
        Decision ready = r.after(Duration.ofSeconds(1), passing());
        assertThat(ready.status().getCanaryWeight())
                .as("ready after the step's time ran out: the step starts now, it does not pass at once")
                .isEqualTo(25);
        assertThat(ready.status().getStepStartedAt()).isEqualTo(r.now.toString());
        assertThat(ready.status().getStepWaitingSince()).isNull();
        stepRunsItsFullTime(r);
        assertThat(r.status.getStageStartedAt())
                .as("the public stage's start, which bounds its live-output evidence, is not moved")
                .isEqualTo(stageStart);
    }

    @Test
    void aLateFirstLookThatFindsTheSplitInPlaceStartsTheStepThen() {
        Rollout r = enteringTwentyFivePercent();
        // the operator was down (or backlogged) for longer than the step: its next pass already sees the canary ready
        Decision late = r.after(Duration.ofMinutes(15), passing());
        assertThat(late.status().getCanaryWeight()).isEqualTo(25);
        assertThat(late.status().getStepStartedAt()).isEqualTo(r.now.toString());
        stepRunsItsFullTime(r);
    }

    @Test
    void aGatePassFromBeforeTheStepStartedDoesNotCount() {
        Rollout r = enteringTwentyFivePercent();
        r.after(Duration.ofMinutes(11), CANARY_SHORT);
        r.after(Duration.ofSeconds(1)); // ready: the step starts, no verdict in this pass
        Decision later = r.after(Duration.ofMinutes(10));
        assertThat(later.status().getCanaryWeight()).isEqualTo(25);
        assertThat(later.status().getMessage()).contains("waiting for gates: error-rate");
        assertThat(r.after(Duration.ofSeconds(1), passing()).status().getCanaryWeight())
                .isEqualTo(50);
    }

    @Test
    void aRouteHeldBelowTheStepsWeightKeepsTheStepWaitingUntilItCarriesIt() {
        Rollout r = enteringTwentyFivePercent();
        // canary capacity: the route carried 13% of the 25% (status.canaryHeldWeight, written after each pass), while
        // the canary Deployment's current replicas were all ready
        for (int i = 0; i < 3; i++) {
            r.status.setCanaryHeldWeight(13);
            Decision d = r.after(Duration.ofMinutes(5), passing());
            assertThat(d.status().getCanaryWeight()).isEqualTo(25);
            assertThat(d.status().getStepWaitingSince()).isNotNull();
            assertThat(d.status().getMessage()).contains("holds the canary at 13%");
        }
        r.status.setCanaryHeldWeight(null);
        r.after(Duration.ofSeconds(2), passing()); // the next pass sees it carried: the step starts
        stepRunsItsFullTime(r);
    }

    @Test
    void aRouteNotYetAcceptedByItsGatewayKeepsTheStepWaiting() {
        Rollout r = enteringTwentyFivePercent();
        // the condition is the operator's (it writes it after each pass): it stays while the Gateway is slow
        for (int i = 0; i < 3; i++) {
            r.status.setConditions(List.of(new ConditionBuilder()
                    .withType(Conditions.ROUTE_NOT_ACCEPTED)
                    .withStatus("True")
                    .withReason("WaitingForGateway")
                    .build()));
            Decision d = r.after(Duration.ofMinutes(5), passing());
            assertThat(d.status().getCanaryWeight()).isEqualTo(25);
            assertThat(d.status().getStepWaitingSince()).isNotNull();
            assertThat(d.status().getMessage()).contains("waiting for the routes");
        }
        r.status.setConditions(List.of());
        r.after(Duration.ofSeconds(2), passing());
        stepRunsItsFullTime(r);
    }

    @Test
    void aStepThatStartedKeepsItsTimeThroughAReadinessDip() {
        Rollout r = enteringTwentyFivePercent();
        r.after(Duration.ofSeconds(1), passing()); // in place: started
        String started = r.status.getStepStartedAt();
        r.after(Duration.ofMinutes(5), CANARY_SHORT); // a canary pod evicted 5 minutes in
        assertThat(r.status.getStepStartedAt()).isEqualTo(started);
        assertThat(r.status.getStepWaitingSince()).isNull();
        assertThat(r.after(Duration.ofMinutes(5), passing()).status().getCanaryWeight())
                .as("back and passing at the step's 10 minutes: it moves on, as it held while the pod was out")
                .isEqualTo(50);
    }

    @Test
    void aCanaryThatNeverGetsItsSplitInPlaceIsRolledBackAtTheDeadline() {
        Rollout r = enteringTwentyFivePercent();
        Decision d = null;
        for (int i = 0; i < 30 && r.status.getCanaryVersion() != null; i++) {
            d = r.after(Duration.ofHours(1), CANARY_SHORT);
        }
        assertThat(d.status().getPhase()).isEqualTo(Phase.ROLLED_BACK);
        assertThat(d.reason()).isEqualTo(ConditionReason.ProgressDeadlineExceeded);
    }
}
