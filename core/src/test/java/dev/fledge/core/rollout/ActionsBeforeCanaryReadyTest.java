package dev.fledge.core.rollout;

import static org.assertj.core.api.Assertions.assertThat;

import java.time.Duration;
import java.util.Set;
import org.junit.jupiter.api.Test;

/** skip-stage and promote never send users to a canary that is not ready (issue 14, item 14). */
class ActionsBeforeCanaryReadyTest {
    static final Observation CANARY_NOT_READY = Observation.of(false, true);

    /** A rollout of 2.0.0 over stable 1.0.0 whose canary is not ready yet, asked for {@code action}. */
    static Decision beforeTheCanaryIsReady(ManualAction action) {
        Rollout r = new Rollout(Rollout.plan("2.0.0")).promotedAt("1.0.0");
        r.step(CANARY_NOT_READY);
        return r.after(Duration.ofSeconds(5), CANARY_NOT_READY.withAction(action));
    }

    @Test
    void skipStageBeforeTheCanaryIsReadyIsIgnoredAndNoAudienceMoves() {
        Decision d = beforeTheCanaryIsReady(ManualAction.SKIP_STAGE);

        assertThat(d.status().getStage()).isEqualTo("preflight");
        assertThat(d.split()).isEqualTo(new TrafficSplit("1.0.0", "2.0.0", Set.of(), 0));
        assertThat(d.events()).extracting(RolloutEvent::reason).contains(EventReason.ActionIgnored);
        assertThat(d.actionConsumed())
                .as("the action is answered, not left pending")
                .isTrue();
    }

    @Test
    void promoteBeforeTheCanaryIsReadyIsIgnoredAndStableKeepsItsVersion() {
        Decision d = beforeTheCanaryIsReady(ManualAction.PROMOTE);

        assertThat(d.status().getStage()).isEqualTo("preflight");
        assertThat(d.split().stableVersion()).isEqualTo("1.0.0");
        assertThat(d.events()).extracting(RolloutEvent::reason).contains(EventReason.ActionIgnored);
    }

    @Test
    void skipStageOnceTheCanaryIsReadyStillWorks() {
        Rollout r = new Rollout(Rollout.plan("2.0.0")).promotedAt("1.0.0");
        r.ready();
        r.ready();
        assertThat(r.after(Duration.ofSeconds(5), Observation.of(true, true).withAction(ManualAction.SKIP_STAGE))
                        .status()
                        .getStage())
                .isEqualTo("closed");
    }
}
