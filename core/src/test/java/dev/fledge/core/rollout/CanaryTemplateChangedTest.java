package dev.fledge.core.rollout;

import static org.assertj.core.api.Assertions.assertThat;

import dev.fledge.api.status.Phase;
import java.time.Duration;
import org.junit.jupiter.api.Test;

/**
 * A canary whose pod template the operator now builds otherwise (an operator upgrade, or a change of its model-pod
 * settings) while users are on it: they go back to stable and the rollout starts again from preflight, so users reach
 * only a template whose gates passed.
 */
class CanaryTemplateChangedTest {

    @Test
    void aCanaryWithUsersWhoseTemplateChangesStartsAgainFromPreflightWithItsUsersOnStable() {
        Rollout r = new Rollout(Rollout.plan("2.0.0")).promotedAt("1.0.0");
        r.ready();
        assertThat(r.status.getStage()).isEqualTo("internal");
        assertThat(r.ready().split().audienceOnCanary("internal")).isTrue();

        Decision d = r.step(Observation.of(true, true).withCanaryTemplateChanged(true));

        assertThat(d.status().getStage()).isEqualTo("preflight");
        assertThat(d.split().sendsNoUsersToCanary())
                .as("every audience back on stable")
                .isTrue();
        assertThat(d.split().canaryRunning()).isTrue();
        assertThat(d.status().getCanaryVersion()).isEqualTo("2.0.0");
        assertThat(d.status().getStableVersion()).isEqualTo("1.0.0");
        assertThat(d.status().getPhase()).isEqualTo(Phase.PROGRESSING);
        assertThat(d.events())
                .filteredOn(e -> e.reason() == EventReason.RolloutRestarted)
                .singleElement()
                .satisfies(e -> assertThat(e.message()).contains("pod template", "preflight", "2.0.0"));
    }

    @Test
    void aCanaryWithoutUsersKeepsItsStageWhenItsTemplateChanges() {
        Rollout r = new Rollout(Rollout.plan("2.0.0")).promotedAt("1.0.0");
        r.step(Observation.of(false, true)); // the rollout starts; the canary is not ready yet
        assertThat(r.status.getStage()).isEqualTo("preflight");

        Decision d = r.step(Observation.of(false, true).withCanaryTemplateChanged(true));

        assertThat(d.status().getStage()).isEqualTo("preflight");
        assertThat(d.events()).extracting(RolloutEvent::reason).doesNotContain(EventReason.RolloutRestarted);
    }

    @Test
    void aPublicStepWhoseCanaryTemplateChangesSendsNoPublicTrafficToTheCanary() {
        Rollout r = new Rollout(Rollout.plan("2.0.0")).promotedAt("1.0.0");
        for (int i = 0; i < 20 && !"public".equals(r.status.getStage()); i++) {
            r.after(Duration.ofMinutes(31), Observation.of(true, true));
        }
        assertThat(r.status.getStage()).isEqualTo("public");
        assertThat(r.status.getCanaryWeight()).isPositive();

        Decision d = r.step(Observation.of(true, true).withCanaryTemplateChanged(true));

        assertThat(d.status().getStage()).isEqualTo("preflight");
        assertThat(d.split().publicCanaryWeight()).isZero();
        assertThat(d.split().sendsNoUsersToCanary()).isTrue();
    }

    @Test
    void aFirstReleaseHasNoStableToSendItsUsersToAndKeepsItsStage() {
        Rollout r = new Rollout(Rollout.plan("1.0.0"));
        r.ready();
        assertThat(r.status.getStage()).isEqualTo("internal");
        assertThat(r.status.getStableVersion()).isNull();

        Decision d = r.step(Observation.of(true, false).withCanaryTemplateChanged(true));

        assertThat(d.status().getStage()).isEqualTo("internal");
        assertThat(d.split().audienceOnCanary("internal")).isTrue();
        assertThat(d.events()).extracting(RolloutEvent::reason).doesNotContain(EventReason.RolloutRestarted);
    }
}
