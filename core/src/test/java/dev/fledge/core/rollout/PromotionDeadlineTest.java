package dev.fledge.core.rollout;

import static org.assertj.core.api.Assertions.assertThat;

import dev.fledge.api.status.ModelReleaseStatus;
import dev.fledge.api.status.Phase;
import java.time.Duration;
import org.junit.jupiter.api.Test;

/** {@code promoting} cannot hang forever (issue 14, item 8). */
class PromotionDeadlineTest {
    static final Observation STABLE_NOT_READY = Observation.of(true, false);

    @Test
    void aStableThatNeverBecomesReadyIsReportedAsAStalledPromotionOnceAfterTheDeadline() {
        Rollout r = new Rollout(PauseDeadlineTest.deadline2h("2.0.0", false)).promotedAt("1.0.0");
        r.ready();
        r.step(STABLE_NOT_READY.withAction(ManualAction.PROMOTE));
        assertThat(r.status.getStage()).isEqualTo("promoting");

        assertThat(r.after(Duration.ofMinutes(119), STABLE_NOT_READY).reason())
                .as("still within the deadline")
                .isEqualTo(ConditionReason.Promoting);
        Decision d = r.after(Duration.ofMinutes(2), STABLE_NOT_READY);
        r.after(Duration.ofSeconds(5), STABLE_NOT_READY);

        assertThat(d.reason()).isEqualTo(ConditionReason.PromotionStalled);
        assertThat(d.status().getPhase()).isEqualTo(Phase.PROGRESSING);
        assertThat(d.status().getStableVersion())
                .as("status claims no version stable has not taken")
                .isEqualTo("1.0.0");
        assertThat(d.status().getMessage()).contains("promotion stalled");
        assertThat(r.eventReasons())
                .filteredOn(EventReason.PromotionStalled.name()::equals)
                .hasSize(1);
        ModelReleaseStatus written = new StatusWriter()
                .finish(new ModelReleaseStatus(), d, 1L, r.now)
                .orElseThrow();
        assertThat(written.getConditions())
                .filteredOn(c -> c.getType().equals(Conditions.DEGRADED))
                .singleElement()
                .satisfies(c -> assertThat(c.getStatus()).isEqualTo("True"))
                .satisfies(c -> assertThat(c.getReason()).isEqualTo("PromotionStalled"));

        assertThat(r.after(Duration.ofMinutes(1)).status().getPhase())
                .as("stable ready at last")
                .isEqualTo(Phase.PROMOTED);
    }

    @Test
    void thePromotionDeadlineCountsFromTheStartOfPromotionNotOfTheRollout() {
        Rollout r = new Rollout(PauseDeadlineTest.deadline2h("2.0.0", false)).promotedAt("1.0.0");
        r.ready();
        r.after(Duration.ofMinutes(110));
        r.step(STABLE_NOT_READY.withAction(ManualAction.PROMOTE));

        assertThat(r.after(Duration.ofMinutes(30), STABLE_NOT_READY).status().getStage())
                .isEqualTo("promoting");
        assertThat(r.after(Duration.ofSeconds(5)).status().getPhase()).isEqualTo(Phase.PROMOTED);
    }
}
