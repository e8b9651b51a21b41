package dev.fledge.core.rollout;

import static dev.fledge.core.rollout.StageWaitsForItsRoutesTest.enteringInternal;
import static dev.fledge.core.rollout.StageWaitsForItsRoutesTest.passing;
import static dev.fledge.core.rollout.StageWaitsForItsRoutesTest.routeNotAccepted;
import static org.assertj.core.api.Assertions.assertThat;

import dev.fledge.api.status.ServingStatus;
import java.time.Duration;
import java.time.Instant;
import java.util.List;
import java.util.Optional;
import java.util.Set;
import org.junit.jupiter.api.Test;

/**
 * The pass that finds a waiting stage's routes accepted starts the stage in its own status write: decided once more
 * from the stored status with the route conditions cleared ({@link RoutesAccepted}), kept only when it starts the wait
 * the first decision held and routes what that one routed. Without it the stage started one pass later, a second status
 * write for every stage and step of every rollout.
 */
class RoutesAcceptedTest {
    private final RolloutEngine engine = new RolloutEngine();

    /** A stage waiting for its route, the stored status saying the Gateway has not accepted it yet. */
    private static Rollout waitingInternal() {
        Rollout r = enteringInternal();
        routeNotAccepted(r, "WaitingForGateway");
        r.after(Duration.ofSeconds(2), passing());
        assertThat(r.status.getStepWaitingSince()).isNotNull();
        return r;
    }

    /** {@code p} with an internal stage of no minimum time, and {@code gates}. */
    private static Plan withUntimedInternal(Plan p, List<GatePlan> gates) {
        return new Plan(
                p.version(),
                List.of(
                        new StagePlan(Stage.INTERNAL, Duration.ZERO, List.of(), Duration.ZERO),
                        p.stages().get(1),
                        p.stages().get(2)),
                p.interval(),
                p.progressDeadline(),
                false,
                p.replicas(),
                gates);
    }

    private Optional<Decision> acceptedAfter(Rollout r, Duration d, Observation obs) {
        r.now = r.now.plus(d);
        Decision first = engine.decide(r.plan, r.status, obs, r.now);
        return RoutesAccepted.startWaitingStage(r.plan, r.status, obs, r.now, first);
    }

    @Test
    void theStageStartsInThePassThatFindsItsRoutesAccepted() {
        Rollout r = waitingInternal();
        r.now = r.now.plusSeconds(3);
        Decision first = engine.decide(r.plan, r.status, passing(), r.now);
        assertThat(first.status().getStepWaitingSince())
                .as("decided from the stored conditions, the stage still waits")
                .isNotNull();

        Decision started = RoutesAccepted.startWaitingStage(r.plan, r.status, passing(), r.now, first)
                .orElseThrow();

        assertThat(started.status().getStepWaitingSince()).isNull();
        assertThat(Instant.parse(started.status().getStageStartedAt())).isEqualTo(r.now);
        assertThat(started.status().getStage()).isEqualTo("internal");
        assertThat(started.split()).isEqualTo(first.split());
        assertThat(started.status().getMessage()).doesNotContain("waiting for the routes");
        r.status = started.status();
        assertThat(r.after(Duration.ofMinutes(10).minusSeconds(1), passing())
                        .status()
                        .getStage())
                .as("its ten minutes count from the pass that saw the route accepted")
                .isEqualTo("internal");
        assertThat(r.after(Duration.ofSeconds(1), passing()).status().getStage())
                .isEqualTo("closed");
    }

    /**
     * A verdict read in the pass that finds the routes accepted is not of the stage that starts then: the stage's time
     * starts at that same instant (or, in the operator, after it), and only a reading after the start counts. A stage
     * with no minimum time and a passing suite in that pass must wait for the next reading.
     */
    @Test
    void aVerdictOfThePassThatStartsTheStageDoesNotEndIt() {
        Rollout r = waitingInternal();
        r.plan = withUntimedInternal(r.plan, r.plan.gates());
        Decision started = acceptedAfter(r, Duration.ofSeconds(1), passing()).orElseThrow();
        assertThat(started.status().getStage()).isEqualTo("internal");
        r.status = started.status();
        assertThat(r.after(Duration.ofSeconds(1), Observation.of(true, true))
                        .status()
                        .getStage())
                .as("no reading since the start")
                .isEqualTo("internal");
        assertThat(r.after(Duration.ofSeconds(1), passing()).status().getStage())
                .isEqualTo("closed");
    }

    @Test
    void aPublicStepStartsInThePassThatFindsItsRouteAccepted() {
        Rollout r = waitingInternal();
        r.status.setConditions(List.of());
        r.after(Duration.ofSeconds(2), passing()); // internal started
        r.after(Duration.ofMinutes(10), passing()); // closed entered
        r.status.setConditions(List.of());
        r.after(Duration.ofSeconds(2), passing()); // closed started
        r.after(Duration.ofMinutes(30), passing()); // public 5 % entered
        assertThat(r.status.getStage()).isEqualTo("public");
        routeNotAccepted(r, "WaitingForGateway");
        r.after(Duration.ofSeconds(2), passing());
        assertThat(r.status.getStepWaitingSince()).isNotNull();

        Decision started = acceptedAfter(r, Duration.ofSeconds(2), passing()).orElseThrow();

        assertThat(started.status().getCanaryWeight()).isEqualTo(5);
        assertThat(started.status().getStepWaitingSince()).isNull();
        assertThat(Instant.parse(started.status().getStepStartedAt())).isEqualTo(r.now);
    }

    @Test
    void noDecisionAgainWhenTheStoredStatusSaysNoRouteWaits() {
        Rollout r = waitingInternal();
        r.status.setConditions(List.of());
        assertThat(acceptedAfter(r, Duration.ofSeconds(1), passing()))
                .as("the engine itself starts the stage")
                .isEmpty();
    }

    @Test
    void aStageEnteredBySkipStageInThisPassStillWaitsForItsOwnRoutes() {
        Rollout r = waitingInternal();
        Optional<Decision> again =
                acceptedAfter(r, Duration.ofSeconds(1), passing().withRequestedAction("skip-stage", "7"));
        assertThat(again)
                .as("the routes found accepted are internal's; closed's are written by this pass")
                .isEmpty();
    }

    @Test
    void aPausedOrNotReadyStageDoesNotStart() {
        Rollout r = waitingInternal();
        assertThat(acceptedAfter(r, Duration.ofSeconds(1), Observation.of(false, true)))
                .as("canary not ready")
                .isEmpty();
        Plan p = r.plan;
        r.plan = new Plan(p.version(), p.stages(), p.interval(), p.progressDeadline(), true, p.replicas(), p.gates());
        assertThat(acceptedAfter(r, Duration.ofSeconds(1), passing()))
                .as("spec.paused")
                .isEmpty();
    }

    @Test
    void aStageThatWouldAlsoEndAtOnceIsLeftToTheNextPass() {
        Rollout r = waitingInternal();
        // internal with no minimum time and no gate of its own: started, it would end in the same decision
        r.plan = withUntimedInternal(r.plan, List.of());
        assertThat(acceptedAfter(r, Duration.ofSeconds(1), Observation.of(true, true)))
                .as("that decision routes closed's audience, which this pass did not apply")
                .isEmpty();
    }

    @Test
    void aRollbackDecidedInThePassIsNotDecidedAgain() {
        Rollout r = waitingInternal();
        assertThat(acceptedAfter(r, Duration.ofSeconds(1), passing().withRequestedAction("abort", "8")))
                .isEmpty();
    }

    /**
     * The stable serving recorded in status has no {@code equals}: two decisions made from one status carry equal
     * copies, which must count as the same split (they did not, and the stage never started early on the mock API
     * server), while another image must not.
     */
    @Test
    void splitsAreComparedByTheirStableServingsValue() {
        TrafficSplit a = split(serving("fledge/model-server:0.1.0"));
        assertThat(RoutesAccepted.sameSplit(a, split(serving("fledge/model-server:0.1.0"))))
                .isTrue();
        assertThat(RoutesAccepted.sameSplit(a, split(serving("fledge/model-server:0.2.0"))))
                .isFalse();
        assertThat(RoutesAccepted.sameSplit(a, split(null))).isFalse();
        assertThat(RoutesAccepted.sameSplit(split(null), split(null))).isTrue();
    }

    private static ServingStatus serving(String image) {
        ServingStatus s = new ServingStatus();
        s.setVersion("1.0.0");
        s.setImage(image);
        s.setPort(8080);
        return s;
    }

    private static TrafficSplit split(ServingStatus stable) {
        return new TrafficSplit("1.0.0", stable, "2.0.0", Set.of("internal", "closed"), 25);
    }
}
