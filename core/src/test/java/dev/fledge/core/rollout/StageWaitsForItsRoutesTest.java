package dev.fledge.core.rollout;

import static org.assertj.core.api.Assertions.assertThat;

import io.fabric8.kubernetes.api.model.ConditionBuilder;
import java.time.Duration;
import java.time.Instant;
import java.util.List;
import org.junit.jupiter.api.Test;

/**
 * A stage's time counts from when its routes carry its audience, as a public step's does: an internal (or closed, or
 * shadow) stage whose route a Gateway has not accepted yet, or refuses, must not pass on its minimum time and the
 * safety suite while its users never reached the canary. Before, only public steps waited: an internal stage of 10
 * minutes behind a Gateway that refused its route passed after 10 minutes (the suite goes to the track Service, not
 * through the Gateway), and one behind a slow Gateway served its audience for less than its minimum time.
 */
class StageWaitsForItsRoutesTest {
    static final GateVerdict SUITE_PASSES = GateVerdict.pass("safety", "safety", "suite: 0 of 40 flagged");
    static final GatePlan SUITE = RolloutEngineTest.SAFETY;

    static Observation passing() {
        return RolloutEngineTest.verdicts(SUITE_PASSES);
    }

    /** 2.0.0 entering its internal stage (10 minutes) in the last pass, which moved no traffic yet. */
    static Rollout enteringInternal() {
        Rollout r = new Rollout(Rollout.plan("2.0.0", List.of(SUITE))).promotedAt("1.0.0");
        r.ready();
        r.after(Duration.ofSeconds(1), passing()); // the suite passed in preflight
        assertThat(r.status.getStage()).isEqualTo("internal");
        return r;
    }

    static void routeNotAccepted(Rollout r, String reason) {
        // the operator writes the condition after each pass, from the route's status: it stays while the Gateway waits
        r.status.setConditions(List.of(new ConditionBuilder()
                .withType(Conditions.ROUTE_NOT_ACCEPTED)
                .withStatus("True")
                .withReason(reason)
                .withMessage("HTTPRoute assistant: Gateway ml/public-gw has not accepted generation 3")
                .build()));
    }

    @Test
    void aStageWhoseRouteItsGatewayRefusesDoesNotPassOnTimeAndTheSuite() {
        Rollout r = enteringInternal();
        for (int i = 0; i < 6; i++) {
            routeNotAccepted(r, "RouteRefused");
            Decision d = r.after(Duration.ofMinutes(5), passing());
            assertThat(d.status().getStage()).isEqualTo("internal");
            assertThat(d.status().getStepWaitingSince()).isNotNull();
            assertThat(d.status().getMessage())
                    .contains("stage internal: waiting for the routes to carry it")
                    .contains("its time does not start");
        }
    }

    @Test
    void aStageBehindASlowGatewayServesItsAudienceForItsWholeMinimumTime() {
        Rollout r = enteringInternal();
        assertThat(r.status.getStepWaitingSince())
                .as("the pass that enters a stage has moved no traffic yet")
                .isEqualTo(r.now.toString());
        routeNotAccepted(r, "WaitingForGateway");
        r.after(Duration.ofSeconds(3), passing());
        assertThat(r.status.getStepWaitingSince()).isNotNull();
        r.status.setConditions(List.of());
        r.after(Duration.ofSeconds(2), passing()); // accepted: the stage starts here
        Instant started = Instant.parse(r.status.getStageStartedAt());
        assertThat(started).isEqualTo(r.now);
        assertThat(r.status.getStepWaitingSince()).isNull();
        assertThat(r.after(Duration.ofMinutes(10).minusSeconds(1), passing())
                        .status()
                        .getStage())
                .isEqualTo("internal");
        assertThat(r.after(Duration.ofSeconds(1), passing()).status().getStage())
                .isEqualTo("closed");
        assertThat(r.status.getStepWaitingSince())
                .as("closed waits for its routes too")
                .isNotNull();
    }

    @Test
    void aStageThatStartedKeepsItsTimeThroughARouteThatIsNoLongerAccepted() {
        Rollout r = enteringInternal();
        r.after(Duration.ofSeconds(1), passing()); // in place: started
        String started = r.status.getStageStartedAt();
        routeNotAccepted(r, "WaitingForGateway"); // the Gateway restarts 5 minutes in
        r.after(Duration.ofMinutes(5), passing());
        assertThat(r.status.getStage()).isEqualTo("internal");
        assertThat(r.status.getStageStartedAt()).isEqualTo(started);
        assertThat(r.status.getMessage())
                .as("its time goes on: the message must not say it has not started")
                .contains("its time, started before, goes on")
                .doesNotContain("does not start");
        routeNotAccepted(r, "WaitingForGateway");
        assertThat(r.after(Duration.ofMinutes(5), passing()).status().getStage())
                .as("held while the route is not accepted, even past its minimum time")
                .isEqualTo("internal");
        r.status.setConditions(List.of());
        assertThat(r.after(Duration.ofSeconds(1), passing()).status().getStage())
                .as("back in place, past its 10 minutes and passing: it moves on, its time kept")
                .isEqualTo("closed");
    }

    /**
     * A {@code skip-stage} enters the next stage in a pass that goes on to the stage rules, where the route conditions
     * still describe the routes written before it (the skipped stage's): the stage must wait for a pass that wrote its
     * own. Before, it started in the skip's pass, and a Gateway slow to program the new route ate into its minimum
     * time (review of the stage wait, MEDIUM).
     */
    @Test
    void aStageEnteredBySkipStageWaitsForAPassThatWritesItsRoutes() {
        Rollout r = enteringInternal();
        r.after(Duration.ofSeconds(1), passing()); // internal's routes in place: started
        assertThat(r.status.getStepWaitingSince()).isNull();

        Decision skipped = r.after(Duration.ofMinutes(1), passing().withRequestedAction("skip-stage", "7"));

        assertThat(skipped.status().getStage()).isEqualTo("closed");
        assertThat(skipped.status().getStepWaitingSince())
                .as("no pass has written closed's routes yet")
                .isEqualTo(r.now.toString());
        Decision next = r.after(Duration.ofSeconds(2), passing());
        assertThat(next.status().getStepWaitingSince()).isNull();
        assertThat(Instant.parse(next.status().getStageStartedAt()))
                .as("the next pass, after the routes were written, starts it")
                .isEqualTo(r.now);
    }

    /**
     * A stage that waits for its routes until {@code progressDeadline} rolls back saying so, with what the route
     * conditions said: once users are back on stable the conditions clear, and the rollback's message is all that is
     * left of the cause (review of the stage wait, MEDIUM).
     */
    @Test
    void aStageThatWaitsForItsRoutesUntilTheDeadlineSaysWhyItRolledBack() {
        Rollout r = enteringInternal();
        Decision d = null;
        for (int i = 0; i < 30 && !"RolledBack".equals(r.status.getPhase().wireName()); i++) { // a 24 h deadline
            routeNotAccepted(r, "RouteRefused");
            d = r.after(Duration.ofHours(1), passing());
        }
        assertThat(r.status.getPhase().wireName()).isEqualTo("RolledBack");
        assertThat(d.status().getMessage())
                .contains("progressDeadline")
                .contains("waiting since")
                .contains("for its routes to carry it")
                .contains("RouteNotAccepted: HTTPRoute assistant: Gateway ml/public-gw has not accepted generation 3");
    }

    /**
     * A stage removed from the spec while it waits has no time of its own left to start: it waits for nothing but its
     * gates. Before, {@code stepWaitingSince} stayed set, and the operator looked again every 2 s until they passed.
     */
    @Test
    void aStageRemovedFromTheSpecWhileItWaitsNoLongerWaits() {
        Rollout r = enteringInternal();
        assertThat(r.status.getStepWaitingSince()).isNotNull();
        r.plan = SpecEditTest.withStages(r.plan, Stage.CLOSED, Stage.PUBLIC);

        Decision d = r.after(Duration.ofSeconds(2), Observation.of(true, true));

        assertThat(d.status().getStage())
                .as("its gates have not passed since it began")
                .isEqualTo("internal");
        assertThat(d.status().getStepWaitingSince()).isNull();
        assertThat(r.after(Duration.ofSeconds(2), passing()).status().getStage())
                .as("its gates pass: on to the next stage still listed")
                .isEqualTo("closed");
    }
}
