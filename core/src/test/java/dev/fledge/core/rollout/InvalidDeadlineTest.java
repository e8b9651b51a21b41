package dev.fledge.core.rollout;

import static org.assertj.core.api.Assertions.assertThat;

import dev.fledge.api.status.Phase;
import java.time.Duration;
import java.util.List;
import org.junit.jupiter.api.Test;

/** Time a rollout spends Invalid does not count against progressDeadline, as paused time does not. */
class InvalidDeadlineTest {

    static Plan deadline2h(String version) {
        Plan p = Rollout.plan(version);
        return new Plan(version, p.stages(), p.interval(), Duration.ofHours(2), false, 2, List.of());
    }

    @Test
    void fixingASpecThatWasInvalidLongerThanTheDeadlineCarriesOnWithoutARollback() {
        Rollout r = new Rollout(deadline2h("2.0.0")).promotedAt("1.0.0");
        r.ready();
        r.after(Duration.ofMinutes(30));
        Decision invalid = r.after(Duration.ofSeconds(1), Observation.invalid(List.of("spec.server: bad")));
        assertThat(invalid.status().getPhase()).isEqualTo(Phase.INVALID);
        r.after(Duration.ofHours(5), Observation.invalid(List.of("spec.server: bad")));

        Decision fixed = r.after(Duration.ofSeconds(1));

        assertThat(fixed.status().getPhase()).isEqualTo(Phase.PROGRESSING);
        assertThat(fixed.status().getCanaryVersion()).isEqualTo("2.0.0");
        assertThat(r.eventReasons()).doesNotContain(EventReason.ProgressDeadlineExceeded.name());
    }

    @Test
    void theActiveTimeBeforeAndAfterTheInvalidSpellStillCounts() {
        Rollout r = new Rollout(deadline2h("2.0.0")).promotedAt("1.0.0");
        r.step(Observation.of(false, true));
        r.after(Duration.ofMinutes(90), Observation.of(false, true));
        r.after(Duration.ofSeconds(1), Observation.invalid(List.of("spec.server: bad")));
        r.after(Duration.ofHours(5), Observation.invalid(List.of("spec.server: bad")));
        r.after(Duration.ofSeconds(1), Observation.of(false, true));

        assertThat(r.after(Duration.ofMinutes(20), Observation.of(false, true))
                        .status()
                        .getPhase())
                .as("90m + 20m active")
                .isEqualTo(Phase.PROGRESSING);
        Decision d = r.after(Duration.ofMinutes(11), Observation.of(false, true));
        assertThat(d.status().getPhase()).as("90m + 31m active").isEqualTo(Phase.ROLLED_BACK);
        assertThat(d.events()).extracting(RolloutEvent::reason).contains(EventReason.ProgressDeadlineExceeded);
    }
}
