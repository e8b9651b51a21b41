package dev.fledge.core.rollout;

import static org.assertj.core.api.Assertions.assertThat;

import dev.fledge.api.status.Phase;
import java.time.Duration;
import java.time.Instant;
import java.util.List;
import org.junit.jupiter.api.Test;

/**
 * A spec that turns invalid mid-rollout stops every gate: the canary then must not keep serving users ungated. Every
 * audience goes back to stable (the canary keeps its pods), an abort still rolls back, and once the spec is valid the
 * current stage starts again.
 */
class InvalidMidRolloutTest {
    static final Observation BAD = Observation.invalid(List.of("spec.server.template: not allowed"));

    /** Promoted 1.0.0, rolling out 2.0.0, at the public step of 25%. */
    static Rollout atPublic25() {
        Rollout r = new Rollout(Rollout.plan("2.0.0")).promotedAt("1.0.0");
        r.ready();
        while (!("public".equals(r.status.getStage()) && r.status.getStep() == 1)) {
            r.after(Duration.ofMinutes(31));
        }
        return r;
    }

    @Test
    void anInvalidSpecInAStageWithUsersSendsEveryAudienceBackToStable() {
        Rollout r = atPublic25();
        assertThat(r.status.getCanaryWeight()).isEqualTo(25);

        Decision invalid = r.after(Duration.ofSeconds(5), BAD);

        assertThat(invalid.status().getPhase()).isEqualTo(Phase.INVALID);
        assertThat(invalid.split().canaryAudiences()).isEmpty();
        assertThat(invalid.split().publicCanaryWeight()).isZero();
        assertThat(invalid.split().canaryVersion())
                .as("the canary keeps its pods")
                .isEqualTo("2.0.0");
        assertThat(invalid.split().stableVersion()).isEqualTo("1.0.0");
        assertThat(invalid.status().getMessage())
                .contains("spec.server.template")
                .contains("on stable");
        assertThat(invalid.events()).extracting(RolloutEvent::reason).containsExactly(EventReason.InvalidSpec);
    }

    @Test
    void abortStillRollsBackWhileTheSpecIsInvalid() {
        Rollout r = atPublic25();
        r.after(Duration.ofSeconds(5), BAD);

        Decision aborted = r.after(Duration.ofSeconds(5), BAD.withRequestedAction("abort", "42"));

        assertThat(aborted.status().getRolledBackVersion()).isEqualTo("2.0.0");
        assertThat(aborted.status().getCanaryVersion()).isNull();
        assertThat(aborted.split().canaryRunning()).isFalse();
        assertThat(aborted.status().getPhase()).as("the spec is still invalid").isEqualTo(Phase.INVALID);
        assertThat(aborted.events()).extracting(RolloutEvent::reason).contains(EventReason.Aborted);
        assertThat(aborted.status().getAction().getOutcome()).isEqualTo(ActionRecord.APPLIED);

        Decision fixed = r.after(Duration.ofSeconds(5));
        assertThat(fixed.status().getPhase())
                .as("fixed: the aborted version stays rolled back")
                .isEqualTo(Phase.ROLLED_BACK);
    }

    @Test
    void otherActionsWhileInvalidAreRecordedAsIgnoredNotLost() {
        Rollout r = atPublic25();

        Decision d = r.after(Duration.ofSeconds(5), BAD.withRequestedAction("promote", "42"));

        assertThat(d.status().getAction().getOutcome()).isEqualTo(ActionRecord.IGNORED);
        assertThat(d.events()).extracting(RolloutEvent::reason).contains(EventReason.ActionIgnored);
        assertThat(d.status().getStage()).isEqualTo("public");
    }

    @Test
    void fixingTheSpecResumesTheCurrentStepFromItsStart() {
        Rollout r = atPublic25();
        r.after(Duration.ofMinutes(9), Observation.of(true, true));
        r.after(Duration.ofSeconds(5), BAD);
        r.after(Duration.ofMinutes(30), BAD);

        Decision fixed = r.after(Duration.ofSeconds(1));

        assertThat(fixed.status().getPhase()).isEqualTo(Phase.PROGRESSING);
        assertThat(fixed.split().publicCanaryWeight())
                .as("back at the gated weight")
                .isEqualTo(25);
        assertThat(fixed.status().getStep()).as("no step was skipped").isEqualTo(1);
        assertThat(fixed.events()).extracting(RolloutEvent::reason).contains(EventReason.Resumed);
        assertThat(fixed.status().getStepWaitingSince())
                .as("traffic comes back from stable: the step waits for a pass that writes its routes, as on entry")
                .isEqualTo(r.now.toString());
        Decision started = r.after(Duration.ofSeconds(1));
        assertThat(Instant.parse(started.status().getStepStartedAt())).isEqualTo(r.now);
        assertThat(r.after(Duration.ofMinutes(9)).status().getStep())
                .as("the step's 10 minutes count again from its routes' return")
                .isEqualTo(1);
        assertThat(r.after(Duration.ofMinutes(2)).status().getStep()).isEqualTo(2);
    }

    @Test
    void aFirstReleaseHasNoStableToGoBackToAndKeepsItsUsers() {
        Rollout r = new Rollout(Rollout.plan("1.0.0"));
        r.ready();
        while (!"closed".equals(r.status.getStage())) {
            r.after(Duration.ofMinutes(11));
        }

        Decision invalid = r.after(Duration.ofSeconds(5), BAD);

        assertThat(invalid.split().canaryAudiences()).contains("internal", "closed");
    }
}
