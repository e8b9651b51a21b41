package dev.fledge.core.rollout;

import static org.assertj.core.api.Assertions.assertThat;

import dev.fledge.api.status.Phase;
import java.time.Instant;
import org.junit.jupiter.api.Test;

/** A status.stage this operator does not know is a handled case: the rollout starts again, no gate is skipped. */
class UnknownStageTest {

    @Test
    void anUnknownStageInStatusRestartsTheRolloutFromPreflightWithAWarning() {
        Rollout r = new Rollout(Rollout.plan("2.0.0")).promotedAt("1.0.0");
        r.ready();
        assertThat(r.status.getStage()).isEqualTo("internal");
        r.status.setStage("canary-plus"); // written by another operator version, or by hand
        r.status.setCanaryWeight(60);

        assertThat(Schedule.analysisDue(r.plan, r.status, Instant.now()))
                .as("no gate runs for a stage nobody knows")
                .isFalse();
        Decision d = r.ready();

        assertThat(d.events())
                .extracting(RolloutEvent::reason)
                .contains(EventReason.UnknownStage, EventReason.RolloutStarted);
        assertThat(d.events())
                .filteredOn(e -> e.reason() == EventReason.UnknownStage)
                .singleElement()
                .satisfies(e -> {
                    assertThat(e.warning()).isTrue();
                    assertThat(e.message()).contains("canary-plus", "preflight");
                });
        assertThat(d.status().getPhase()).isEqualTo(Phase.PROGRESSING);
        assertThat(d.status().getCanaryVersion()).isEqualTo("2.0.0");
        assertThat(d.status().getStage()).isIn("preflight", "internal");
        assertThat(d.split().publicCanaryWeight())
                .as("no public traffic on the canary")
                .isZero();
        assertThat(d.status().getStableVersion()).isEqualTo("1.0.0");
    }
}
