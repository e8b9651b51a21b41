package dev.fledge.core.rollout;

import static org.assertj.core.api.Assertions.assertThat;

import java.time.Duration;
import org.junit.jupiter.api.Test;

/**
 * The same action given again before the operator saw the first one's annotation gone is told apart by a nonce
 * ({@code skip-stage:2}); without one it is the same request, already applied.
 */
class ActionNonceTest {

    @Test
    void theSameActionWithANewNonceIsANewRequestEvenBeforeTheFirstWasSeenRemoved() {
        Rollout r = new Rollout(Rollout.plan("2.0.0")).promotedAt("1.0.0");
        r.ready();
        r.after(Duration.ofSeconds(1));
        assertThat(r.status.getStage()).isEqualTo("internal");

        r.after(Duration.ofSeconds(1), Observation.of(true, true).withRequestedAction("skip-stage:1", "10"));
        assertThat(r.status.getStage()).isEqualTo("closed");
        assertThat(r.status.getAction().getValue()).isEqualTo("skip-stage:1");
        assertThat(r.status.getAction().getAnnotationRemoved()).isFalse();
        assertThat(ActionRecord.awaitsRemoval(r.status, "skip-stage:1"))
                .as("the applied request itself is only removed")
                .isTrue();

        assertThat(ActionRecord.awaitsRemoval(r.status, "skip-stage:2"))
                .as("a new nonce is a new request")
                .isFalse();
        r.after(Duration.ofSeconds(1), Observation.of(true, true).withRequestedAction("skip-stage:2", "11"));
        assertThat(r.status.getStage()).isEqualTo("public");
        assertThat(r.status.getAction().getValue()).isEqualTo("skip-stage:2");
        assertThat(r.status.getAction().getOutcome()).isEqualTo(ActionRecord.APPLIED);
    }

    @Test
    void anActionWithoutANonceReAddedBeforeItsRemovalWasSeenIsTheSameRequest() {
        Rollout r = new Rollout(Rollout.plan("2.0.0")).promotedAt("1.0.0");
        r.ready();
        r.after(Duration.ofSeconds(1), Observation.of(true, true).withRequestedAction("abort", "10"));

        assertThat(ActionRecord.awaitsRemoval(r.status, "abort")).isTrue();
        assertThat(ManualAction.parse("abort:x")).contains(ManualAction.ABORT);
        assertThat(ManualAction.parse("abort:")).contains(ManualAction.ABORT);
        assertThat(ManualAction.parse("aborted")).isEmpty();
    }
}
