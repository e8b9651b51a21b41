package dev.fledge.core.rollout;

import static org.assertj.core.api.Assertions.assertThat;

import java.time.Duration;
import java.util.List;
import org.junit.jupiter.api.Test;

/** Stage times that add up to more than progressDeadline are warned about when a rollout starts (issue 14, item 14). */
class StageTimeWarningTest {

    static Plan withDeadline(Duration deadline) {
        Plan p = Rollout.plan("2.0.0");
        return new Plan(p.version(), p.stages(), p.interval(), deadline, false, 2, List.of());
    }

    @Test
    void stagesLongerThanTheDeadlineAreWarnedAboutOnceWhenTheRolloutStarts() {
        Rollout r = new Rollout(withDeadline(Duration.ofHours(1))).promotedAt("1.0.0");
        r.decisions.clear();
        r.ready();
        r.ready();

        assertThat(r.eventReasons()).filteredOn("StagesExceedDeadline"::equals).hasSize(1);
        assertThat(r.decisions.get(0).events())
                .filteredOn(e -> e.reason().name().equals("StagesExceedDeadline"))
                .singleElement()
                .satisfies(e -> assertThat(e.message()).contains("1h20m", "1h"));
    }

    @Test
    void stagesWithinTheDeadlineAreNotWarnedAbout() {
        Rollout r = new Rollout(withDeadline(Duration.ofHours(2))).promotedAt("1.0.0");
        r.decisions.clear();
        r.ready();
        assertThat(r.eventReasons()).doesNotContain("StagesExceedDeadline");
    }
}
