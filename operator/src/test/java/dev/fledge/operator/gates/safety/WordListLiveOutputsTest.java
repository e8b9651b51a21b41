package dev.fledge.operator.gates.safety;

import static dev.fledge.operator.gates.safety.UnjudgedCategoriesTest.llamaGuard;
import static dev.fledge.operator.gates.safety.UnjudgedCategoriesTest.release;
import static org.assertj.core.api.Assertions.assertThat;

import dev.fledge.api.ModelRelease;
import dev.fledge.api.spec.JudgeKind;
import dev.fledge.api.spec.JudgeSpec;
import dev.fledge.api.spec.StageName;
import dev.fledge.api.spec.StageSpec;
import java.util.List;
import org.junit.jupiter.api.Test;

/**
 * Issue 17 part 3: a classifier is the documented default judge of live outputs for online safety; a release whose
 * live outputs fall to the word list is told so by a standing warning.
 */
class WordListLiveOutputsTest {

    @Test
    void onlineSafetyWithoutAClassifierIsWarned() {
        for (JudgeSpec judge : new JudgeSpec[] {
            null, new JudgeSpec().withKind(JudgeKind.MODERATION), llamaGuard(null) // liveOutputs unset
        }) {
            assertThat(WordListLiveOutputs.warning(release(judge, true, "self-harm", "violence")))
                    .as("judge %s", judge)
                    .hasValueSatisfying(w -> {
                        assertThat(w.type()).isEqualTo(WordListLiveOutputs.TYPE);
                        assertThat(w.reason()).isEqualTo("NoClassifier");
                        assertThat(w.message())
                                .startsWith("spec.analysis.safety.online: live outputs are judged by the model"
                                        + " server's word list")
                                .contains("kind llamaGuard and liveOutputs: true", "judge.liveOutputs: false")
                                // the word list does report violence by its name: the release's list is not
                                // claimed to be unreachable
                                .doesNotContain("violence");
                    });
        }
    }

    @Test
    void aShadowStageWeighsLiveOutputsWithoutOnlineTrueAndIsWarnedToo() {
        ModelRelease mr = release(null, false, "self-harm");
        mr.getSpec()
                .setStages(List.of(
                        new StageSpec().withName(StageName.SHADOW), new StageSpec().withName(StageName.PUBLIC)));
        assertThat(WordListLiveOutputs.warning(mr))
                .hasValueSatisfying(w -> assertThat(w.message())
                        .startsWith("the shadow stage: live outputs are judged by the model server's word list")
                        .contains("which needs online: true"));
    }

    @Test
    void aLlamaGuardJudgeOfLiveOutputsGetsNoWarning() {
        assertThat(WordListLiveOutputs.warning(release(llamaGuard(null).withLiveOutputs(true), true, "self-harm")))
                .isEmpty();
    }

    @Test
    void noWarningWhenTheWordListIsChosenOrNoLiveOutputsAreWeighed() {
        assertThat(WordListLiveOutputs.warning(release(llamaGuard(null).withLiveOutputs(false), true, "self-harm")))
                .as("liveOutputs: false")
                .isEmpty();
        assertThat(WordListLiveOutputs.warning(release(new JudgeSpec().withLiveOutputs(false), true)))
                .as("liveOutputs: false with the default moderation judge")
                .isEmpty();
        assertThat(WordListLiveOutputs.warning(release(null, false, "self-harm")))
                .as("online: false, no shadow stage")
                .isEmpty();
    }
}
