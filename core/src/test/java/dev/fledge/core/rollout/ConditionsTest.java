package dev.fledge.core.rollout;

import static org.assertj.core.api.Assertions.assertThat;

import dev.fledge.api.status.ModelReleaseStatus;
import dev.fledge.api.status.Phase;
import io.fabric8.kubernetes.api.model.Condition;
import java.time.Instant;
import java.util.List;
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

    @Test
    void aStandingWarningIsATrueConditionWhileItHoldsAndIsDroppedAfter() {
        ModelReleaseStatus st = new ModelReleaseStatus().withPhase(Phase.PROMOTED);
        SpecWarning w = new SpecWarning("HeaderAudienceOnPublicListener", "HeaderTrustedToAuthProxy", "closed ...");
        Conditions.apply(st, ConditionReason.Promoted, 1L, t0, List.of(w));
        Condition c = find(st, "HeaderAudienceOnPublicListener");
        assertThat(c.getStatus()).isEqualTo("True");
        assertThat(c.getReason()).isEqualTo("HeaderTrustedToAuthProxy");
        assertThat(c.getMessage()).isEqualTo("closed ...");

        Conditions.apply(st, ConditionReason.Promoted, 1L, t0.plusSeconds(60), List.of(w));
        assertThat(find(st, "HeaderAudienceOnPublicListener").getLastTransitionTime())
                .isEqualTo(t0.toString());

        Conditions.apply(st, ConditionReason.Promoted, 2L, t0.plusSeconds(120), List.of());
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
