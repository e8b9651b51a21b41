package dev.fledge.operator.gates.safety;

import static org.assertj.core.api.Assertions.assertThat;

import dev.fledge.api.ModelRelease;
import dev.fledge.api.spec.AnalysisSpec;
import dev.fledge.api.spec.JudgeKind;
import dev.fledge.api.spec.JudgeSpec;
import dev.fledge.api.spec.ModelReleaseSpec;
import dev.fledge.api.spec.SafetySpec;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;

/** Issue 17 review, MED 2: critical categories the llamaGuard judge can never report are named in a warning. */
class UnjudgedCategoriesTest {

    static ModelRelease release(JudgeSpec judge, boolean online, String... critical) {
        ModelRelease mr = new ModelRelease();
        mr.setSpec(new ModelReleaseSpec()
                .withAnalysis(new AnalysisSpec()
                        .withSafety(new SafetySpec()
                                .withJudge(judge)
                                .withOnline(online)
                                .withCriticalCategories(List.of(critical)))));
        return mr;
    }

    static JudgeSpec llamaGuard(Map<String, String> categories) {
        return new JudgeSpec().withKind(JudgeKind.LLAMA_GUARD).withCategories(categories);
    }

    @Test
    void namesTheCategoriesNoCodeCountsAs() {
        assertThat(UnjudgedCategories.warning(
                        release(llamaGuard(null), false, "sexual/minors", "csam", "violence", "S15", "S4")))
                .hasValueSatisfying(w -> {
                    assertThat(w.type()).isEqualTo(UnjudgedCategories.TYPE);
                    // S4 counts as csam, so S4 itself is never reported; S15 has no mapping and counts as S15
                    assertThat(w.message())
                            .startsWith("spec.analysis.safety.criticalCategories [sexual/minors, S4] are not")
                            .doesNotContain("online guard");
                });
    }

    @Test
    void aReleasesOwnMappingDecides() {
        assertThat(UnjudgedCategories.warning(
                        release(llamaGuard(Map.of("S4", "sexual/minors")), true, "sexual/minors")))
                .isEmpty();
        // remapped, the default name of S4 is no longer reported
        assertThat(UnjudgedCategories.warning(release(llamaGuard(Map.of("S4", "sexual/minors")), true, "csam")))
                .hasValueSatisfying(w -> assertThat(w.message())
                        .contains("[csam]")
                        .contains("only the model server's online guard can report them"));
    }

    @Test
    void otherJudgesAndBadMappingsAreNotChecked() {
        assertThat(UnjudgedCategories.warning(
                        release(new JudgeSpec().withKind(JudgeKind.MODERATION), false, "anything")))
                .isEmpty();
        assertThat(UnjudgedCategories.warning(release(null, false, "anything"))).isEmpty();
        // the gate itself is Inconclusive over a bad mapping, with its own reason
        assertThat(UnjudgedCategories.warning(release(llamaGuard(Map.of("X1", "a")), false, "anything")))
                .isEmpty();
    }
}
