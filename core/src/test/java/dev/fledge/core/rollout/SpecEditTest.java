package dev.fledge.core.rollout;

import static org.assertj.core.api.Assertions.assertThat;

import dev.fledge.api.status.Phase;
import java.time.Duration;
import java.util.List;
import org.junit.jupiter.api.Test;

/** Spec edits in the middle of a rollout never skip a gate (issue 14, item 3). */
class SpecEditTest {

    static Plan withStages(Plan p, Stage... keep) {
        List<Stage> kept = List.of(keep);
        return new Plan(
                p.version(),
                p.stages().stream().filter(s -> kept.contains(s.stage())).toList(),
                p.interval(),
                p.progressDeadline(),
                p.paused(),
                p.replicas(),
                p.gates());
    }

    @Test
    void removingTheCurrentStageMovesToTheNextStageStillListedNeverToPromoting() {
        Rollout r = new Rollout(Rollout.plan("2.0.0")).promotedAt("1.0.0");
        r.ready();
        r.ready();
        r.after(Duration.ofMinutes(10));
        assertThat(r.status.getStage()).isEqualTo("closed");

        r.plan = withStages(r.plan, Stage.INTERNAL, Stage.PUBLIC);
        Decision d = r.after(Duration.ofSeconds(5));

        assertThat(d.status().getStage()).isEqualTo("public");
        assertThat(d.status().getStep()).isZero();
        assertThat(d.split().publicCanaryWeight()).isEqualTo(5);
        assertThat(d.status().getStableVersion()).isEqualTo("1.0.0");
        assertThat(d.status().getPhase()).isEqualTo(Phase.PROGRESSING);
    }

    @Test
    void removingTheCurrentStageWithPublicStillListedWalksEveryPublicStepBeforePromoting() {
        Rollout r = new Rollout(Rollout.plan("2.0.0")).promotedAt("1.0.0");
        r.ready();
        r.ready();
        assertThat(r.status.getStage()).isEqualTo("internal");

        r.plan = withStages(r.plan, Stage.PUBLIC);
        for (int i = 0; i < 5; i++) {
            r.after(Duration.ofSeconds(5));
            assertThat(r.status.getStage()).as("round %d", i).isNotEqualTo("promoting");
        }
        assertThat(r.status.getStage()).isEqualTo("public");
        assertThat(r.status.getCanaryWeight()).isEqualTo(5);
    }
}
