package dev.fledge.core.rollout;

import static org.assertj.core.api.Assertions.assertThat;

import dev.fledge.api.status.ModelReleaseStatus;
import dev.fledge.api.status.Phase;
import io.fabric8.kubernetes.api.model.Condition;
import java.time.Instant;
import org.junit.jupiter.api.Test;

class ConditionsTest {
    final Instant t0 = Instant.parse("2026-11-28T12:00:00Z");

    @Test
    void aRollbackSetsDegradedWithItsReasonAndKeepsTheTransitionTime() {
        ModelReleaseStatus st =
                new ModelReleaseStatus().withPhase(Phase.ROLLED_BACK).withMessage("gate error-rate failed");
        Conditions.apply(st, ConditionReason.GateFailed, 3L, t0);
        Condition degraded = find(st, "Degraded");
        assertThat(degraded.getStatus()).isEqualTo("True");
        assertThat(degraded.getReason()).isEqualTo("GateFailed");
        assertThat(degraded.getObservedGeneration()).isEqualTo(3L);
        assertThat(find(st, "Ready").getStatus()).isEqualTo("False");

        Conditions.apply(st, ConditionReason.GateFailed, 3L, t0.plusSeconds(60));
        assertThat(find(st, "Degraded").getLastTransitionTime()).isEqualTo(t0.toString());
        assertThat(Conditions.degradedReason(st)).contains(ConditionReason.GateFailed);
    }

    @Test
    void invalidSpecIsItsOwnCondition() {
        ModelReleaseStatus st =
                new ModelReleaseStatus().withPhase(Phase.INVALID).withMessage("spec.x: bad");
        Conditions.apply(st, ConditionReason.InvalidSpec, 1L, t0);
        assertThat(find(st, "InvalidSpec").getStatus()).isEqualTo("True");
        assertThat(find(st, "InvalidSpec").getMessage()).isEqualTo("spec.x: bad");
        assertThat(st.getConditions())
                .extracting(Condition::getType)
                .containsExactly("Ready", "Progressing", "Degraded", "InvalidSpec");
    }

    private static Condition find(ModelReleaseStatus st, String type) {
        return st.getConditions().stream()
                .filter(c -> c.getType().equals(type))
                .findFirst()
                .orElseThrow();
    }
}
