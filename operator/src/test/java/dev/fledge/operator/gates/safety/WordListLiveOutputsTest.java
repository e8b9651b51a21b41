package dev.fledge.operator.gates.safety;

import static dev.fledge.operator.gates.safety.UnjudgedCategoriesTest.llamaGuard;
import static dev.fledge.operator.gates.safety.UnjudgedCategoriesTest.release;
import static org.assertj.core.api.Assertions.assertThat;

import dev.fledge.api.spec.JudgeKind;
import dev.fledge.api.spec.JudgeSpec;
import org.junit.jupiter.api.Test;

/**
 * Issue 17 part 3: a classifier is the default judge of live outputs for online safety; a release whose live outputs
 * fall to the word list is told so by a standing warning.
 */
class WordListLiveOutputsTest {

    @Test
    void onlineSafetyWithoutAClassifierIsWarnedAndNamesTheCriticalCategories() {
        for (JudgeSpec judge : new JudgeSpec[] {null, new JudgeSpec().withKind(JudgeKind.MODERATION)}) {
            assertThat(WordListLiveOutputs.warning(release(judge, true, "self-harm", "csam")))
                    .as("judge %s", judge)
                    .hasValueSatisfying(w -> {
                        assertThat(w.type()).isEqualTo(WordListLiveOutputs.TYPE);
                        assertThat(w.reason()).isEqualTo("NoClassifier");
                        assertThat(w.message())
                                .contains(
                                        "word list",
                                        "a live output in [self-harm, csam] is not a critical failure",
                                        "kind llamaGuard",
                                        "judge.liveOutputs: false");
                    });
        }
    }

    @Test
    void aLlamaGuardJudgeJudgesLiveOutputsByDefaultSoNoWarning() {
        assertThat(WordListLiveOutputs.warning(release(llamaGuard(null), true, "self-harm")))
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
                .as("online: false")
                .isEmpty();
    }
}
