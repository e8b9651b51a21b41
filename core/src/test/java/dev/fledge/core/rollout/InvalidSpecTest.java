package dev.fledge.core.rollout;

import static org.assertj.core.api.Assertions.assertThat;

import dev.fledge.api.status.ModelReleaseStatus;
import dev.fledge.api.status.Phase;
import io.fabric8.kubernetes.api.model.Condition;
import java.time.Duration;
import java.time.Instant;
import java.util.List;
import org.junit.jupiter.api.Test;

/** Spec errors are part of the observation: the engine decides Invalid, and StatusWriter finishes the status. */
class InvalidSpecTest {
    final RolloutEngine engine = new RolloutEngine();
    final StatusWriter writer = new StatusWriter();
    final Instant now = Instant.parse("2026-11-28T12:00:00Z");

    @Test
    void specErrorsMakeTheReleaseInvalidWithOneWarningAndKeepTheRolloutWhereItWas() {
        ModelReleaseStatus running = new ModelReleaseStatus()
                .withPhase(Phase.PROGRESSING)
                .withStableVersion("1.0.0")
                .withCanaryVersion("2.0.0")
                .withStage("closed")
                .withCanaryWeight(0);
        Decision d = engine.decide(null, running, Observation.invalid(List.of("spec.a: bad", "spec.b: bad")), now);

        assertThat(d.invalid()).isTrue();
        assertThat(d.status().getMessage()).startsWith("spec.a: bad; spec.b: bad; every audience is on stable");
        assertThat(d.status().getCanaryVersion()).isEqualTo("2.0.0");
        assertThat(d.status().getStage()).isEqualTo("closed");
        assertThat(d.events()).extracting(RolloutEvent::reason).containsExactly(EventReason.InvalidSpec);
        assertThat(d.phaseChange()).isEqualTo(new Decision.PhaseChange("Progressing", "Invalid"));
        assertThat(d.reason()).isEqualTo(ConditionReason.InvalidSpec);
        assertThat(d.requeueAfter()).isNull();
        assertThat(running.getPhase()).as("the stored status is not touched").isEqualTo(Phase.PROGRESSING);

        Decision again =
                engine.decide(null, d.status(), Observation.invalid(List.of("spec.a: bad", "spec.b: bad")), now);
        assertThat(again.events()).as("the same errors are no news").isEmpty();
        assertThat(again.phaseChange()).isNull();
    }

    @Test
    void theWriterSetsGenerationAndConditionsAndReportsOnlyChanges() {
        Decision d = engine.decide(null, new ModelReleaseStatus(), Observation.invalid(List.of("spec.x: bad")), now);
        ModelReleaseStatus written =
                writer.finish(new ModelReleaseStatus(), d, 4L, now).orElseThrow();

        assertThat(written.getObservedGeneration()).isEqualTo(4L);
        assertThat(written.getConditions())
                .filteredOn(c -> c.getType().equals("InvalidSpec"))
                .singleElement()
                .extracting(Condition::getStatus)
                .isEqualTo("True");

        Decision same = engine.decide(null, written, Observation.invalid(List.of("spec.x: bad")), now.plusSeconds(5));
        assertThat(writer.finish(written, same, 4L, now.plusSeconds(5)))
                .as("nothing to patch")
                .isEmpty();
    }

    @Test
    void fixingTheSpecAfterARollbackClearsInvalidAndTheReleaseIsRolledBackAgain() {
        Rollout r = new Rollout(Rollout.plan("2.0.0")).promotedAt("1.0.0");
        r.ready();
        r.step(Observation.of(true, true).withAction(ManualAction.ABORT));
        assertThat(r.status.getPhase()).isEqualTo(Phase.ROLLED_BACK);
        r.step(Observation.invalid(List.of("spec.x: bad")));
        assertThat(r.status.getPhase()).isEqualTo(Phase.INVALID);

        Decision fixed = r.after(Duration.ofSeconds(5));
        ModelReleaseStatus written = writer.finish(
                        r.decisions.get(r.decisions.size() - 2).status(), fixed, 3L, r.now)
                .orElseThrow();

        assertThat(written.getPhase()).isEqualTo(Phase.ROLLED_BACK);
        assertThat(written.getRolledBackVersion()).isEqualTo("2.0.0");
        assertThat(written.getConditions())
                .filteredOn(c -> c.getType().equals(Conditions.INVALID_SPEC))
                .singleElement()
                .extracting(Condition::getStatus)
                .isEqualTo("False");
        assertThat(written.getConditions())
                .filteredOn(c -> c.getType().equals(Conditions.DEGRADED))
                .singleElement()
                .extracting(Condition::getStatus)
                .isEqualTo("True");
    }

    @Test
    void fixingTheSpecClearsInvalidInEveryPhase() {
        for (Phase before : List.of(Phase.PROGRESSING, Phase.PAUSED, Phase.PROMOTED, Phase.ROLLED_BACK, Phase.FAILED)) {
            Rollout r = new Rollout(Rollout.plan("2.0.0"));
            switch (before) {
                case PROMOTED -> r.promotedAt("2.0.0");
                case ROLLED_BACK ->
                    r.promotedAt("1.0.0").step(Observation.of(true, true).withAction(ManualAction.ABORT));
                case FAILED -> r.step(Observation.of(true, true).withAction(ManualAction.ABORT));
                case PAUSED -> {
                    r.promotedAt("1.0.0");
                    r.plan = new Plan(
                            "2.0.0", r.plan.stages(), r.plan.interval(), r.plan.progressDeadline(), true, 2, List.of());
                    r.ready();
                }
                default -> r.promotedAt("1.0.0").ready();
            }
            assertThat(r.status.getPhase()).as("set up").isEqualTo(before);
            r.step(Observation.invalid(List.of("spec.x: bad")));
            assertThat(r.ready().status().getPhase()).as("after %s", before).isEqualTo(before);
        }
    }
}
