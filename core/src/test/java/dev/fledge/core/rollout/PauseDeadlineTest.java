package dev.fledge.core.rollout;

import static org.assertj.core.api.Assertions.assertThat;

import dev.fledge.api.status.Phase;
import java.time.Duration;
import java.time.Instant;
import java.util.List;
import org.junit.jupiter.api.Test;

/** Paused time does not count against progressDeadline (issue 14, item 9). */
class PauseDeadlineTest {

    static Plan deadline2h(String version, boolean paused) {
        Plan p = Rollout.plan(version);
        return new Plan(version, p.stages(), p.interval(), Duration.ofHours(2), paused, 2, List.of());
    }

    @Test
    void resumingAfterAPauseLongerThanTheDeadlineCarriesOnWhereItStopped() {
        Rollout r = new Rollout(deadline2h("2.0.0", false)).promotedAt("1.0.0");
        r.ready();
        r.after(Duration.ofMinutes(30));
        r.plan = deadline2h("2.0.0", true);
        assertThat(r.after(Duration.ofSeconds(1)).status().getPhase()).isEqualTo(Phase.PAUSED);
        r.after(Duration.ofHours(5));

        r.plan = deadline2h("2.0.0", false);
        Decision resumed = r.after(Duration.ofSeconds(1));

        assertThat(resumed.status().getPhase()).isEqualTo(Phase.PROGRESSING);
        assertThat(resumed.status().getCanaryVersion()).isEqualTo("2.0.0");
        assertThat(r.eventReasons()).doesNotContain(EventReason.ProgressDeadlineExceeded.name());
    }

    @Test
    void theDeadlineStillCountsTheActiveTimeBeforeAndAfterThePause() {
        Rollout r = new Rollout(deadline2h("2.0.0", false)).promotedAt("1.0.0");
        r.step(Observation.of(false, true));
        r.after(Duration.ofMinutes(90), Observation.of(false, true));
        r.plan = deadline2h("2.0.0", true);
        r.after(Duration.ofSeconds(1), Observation.of(false, true));
        r.after(Duration.ofHours(5), Observation.of(false, true));
        r.plan = deadline2h("2.0.0", false);
        r.after(Duration.ofSeconds(1), Observation.of(false, true));

        assertThat(r.after(Duration.ofMinutes(20), Observation.of(false, true))
                        .status()
                        .getPhase())
                .as("90m + 20m active")
                .isEqualTo(Phase.PROGRESSING);
        Instant before = r.now;
        Decision d = r.after(Duration.ofMinutes(11), Observation.of(false, true));
        assertThat(d.status().getPhase()).as("90m + 31m active, at %s", before).isEqualTo(Phase.ROLLED_BACK);
        assertThat(d.events()).extracting(RolloutEvent::reason).contains(EventReason.ProgressDeadlineExceeded);
    }
}
