package dev.fledge.e2e.bench;

import static org.assertj.core.api.Assertions.assertThat;

import dev.fledge.api.status.GateResult;
import dev.fledge.api.status.ModelReleaseStatus;
import dev.fledge.api.status.Verdict;
import io.fabric8.kubernetes.api.model.Condition;
import io.fabric8.kubernetes.api.model.ConditionBuilder;
import java.util.ArrayList;
import java.util.List;
import org.junit.jupiter.api.Test;

/** The benchmark's naming of status writes by what they changed. */
class StatusChangesTest {

    @Test
    void aWriteIsNamedByTheFieldsItChangedAndTheConditionsItTouched() {
        ModelReleaseStatus before =
                status("internal", List.of(cond("Ready", "False"), cond("RouteNotAccepted", "True")));
        ModelReleaseStatus after = status("closed", List.of(cond("Ready", "False")));

        assertThat(StatusChanges.changed(before, after)).isEqualTo("conditions[RouteNotAccepted],stage");
    }

    @Test
    void aConditionOfTheSameTypeThatChangedIsNamedAndAReorderingIsToldApart() {
        ModelReleaseStatus ready = status("closed", List.of(cond("Ready", "True"), cond("Degraded", "False")));
        ModelReleaseStatus notReady = status("closed", List.of(cond("Ready", "False"), cond("Degraded", "False")));
        ModelReleaseStatus reordered = status("closed", List.of(cond("Degraded", "False"), cond("Ready", "True")));

        assertThat(StatusChanges.changed(ready, notReady)).isEqualTo("conditions[Ready]");
        assertThat(StatusChanges.changed(ready, reordered)).isEqualTo("conditions[order]");
    }

    @Test
    void aPlaceholderPutInAndTakenOutAreToldApart() {
        ModelReleaseStatus passed = status("internal", List.of());
        passed.setGates(List.of(gate(Verdict.PASS, "all good")));
        ModelReleaseStatus asking = status("internal", List.of());
        asking.setGates(List.of(gate(Verdict.INCONCLUSIVE, "evaluating: asked Prometheus")));

        assertThat(StatusChanges.changed(passed, asking)).isEqualTo("gates+evaluating");
        assertThat(StatusChanges.changed(asking, passed)).isEqualTo("gates-evaluating");
        assertThat(StatusChanges.changed(passed, passed)).startsWith("(nothing");
        ModelReleaseStatus askingAgain = status("internal", List.of());
        askingAgain.setGates(List.of(gate(Verdict.INCONCLUSIVE, "evaluating: asked Prometheus again")));
        assertThat(StatusChanges.changed(asking, askingAgain)).isEqualTo("gates");
    }

    @Test
    void theTopKindsAreCountedPerTransitionOverEveryRelease() {
        ModelReleaseStatus a = status("internal", List.of());
        ModelReleaseStatus b = status("closed", List.of());
        ModelReleaseStatus c = status("closed", List.of(cond("Ready", "True")));
        String top =
                StatusChanges.of(List.of(List.of(a, b, a), List.of(a, b, c))).top(1, 2);

        assertThat(top).contains("1.50  stage").doesNotContain("conditions");
    }

    private static ModelReleaseStatus status(String stage, List<Condition> conditions) {
        ModelReleaseStatus st = new ModelReleaseStatus();
        st.setStage(stage);
        st.setConditions(new ArrayList<>(conditions));
        return st;
    }

    private static Condition cond(String type, String status) {
        return new ConditionBuilder().withType(type).withStatus(status).build();
    }

    private static GateResult gate(Verdict verdict, String reason) {
        return new GateResult().withName("error-rate").withVerdict(verdict).withReason(reason);
    }
}
