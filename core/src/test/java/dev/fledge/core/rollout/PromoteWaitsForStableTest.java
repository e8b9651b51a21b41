package dev.fledge.core.rollout;

import static org.assertj.core.api.Assertions.assertThat;

import dev.fledge.api.status.Phase;
import org.junit.jupiter.api.Test;

/**
 * A manual {@code promote} (or a {@code skip-stage} past the last stage) enters {@code promoting}; the promotion ends
 * only on an observation of the stable Deployment running the new version, never on the one made before: that one says
 * whether the old stable is ready, which it always is.
 */
class PromoteWaitsForStableTest {
    /** The canary ready, and the stable Deployment ready for what the status held when it was observed. */
    static final Observation BOTH_READY = Observation.of(true, true);

    @Test
    void aPromoteRequestedWhileTheOldStableIsReadyDoesNotFinishThePromotionInTheSamePass() {
        Rollout r = new Rollout(PauseDeadlineTest.deadline2h("2.0.0", false)).promotedAt("1.0.0");
        r.ready();

        Decision d = r.step(BOTH_READY.withAction(ManualAction.PROMOTE));

        assertThat(d.status().getStage()).isEqualTo("promoting");
        assertThat(d.status().getPhase()).isEqualTo(Phase.PROGRESSING);
        assertThat(d.status().getStableVersion()).isEqualTo("1.0.0");
        assertThat(d.events()).extracting(RolloutEvent::reason).doesNotContain(EventReason.Promoted);

        Decision next = r.step(BOTH_READY); // stable ready for 2.0.0 now
        assertThat(next.status().getPhase()).isEqualTo(Phase.PROMOTED);
        assertThat(next.status().getStableVersion()).isEqualTo("2.0.0");
    }
}
