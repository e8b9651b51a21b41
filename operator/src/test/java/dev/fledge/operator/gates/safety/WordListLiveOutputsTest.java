package dev.fledge.operator.gates.safety;

import static dev.fledge.operator.gates.safety.UnjudgedCategoriesTest.llamaGuard;
import static dev.fledge.operator.gates.safety.UnjudgedCategoriesTest.release;
import static org.assertj.core.api.Assertions.assertThat;

import dev.fledge.api.spec.JudgeKind;
import dev.fledge.api.spec.JudgeSpec;
import org.junit.jupiter.api.Test;

/**
 * Issue 17 part 3: a classifier is the documented judge of live outputs for online safety; a release whose live
 * outputs fall to the word list is told so by a standing warning.
 */
class WordListLiveOutputsTest {

    @Test
    void onlineSafetyWithoutAClassifierIsWarnedAndNamesTheCriticalCategories() {
        for (JudgeSpec judge : new JudgeSpec[] {
            null, new JudgeSpec().withKind(JudgeKind.MODERATION), llamaGuard(null) // liveOutputs unset
        }) {
            assertThat(WordListLiveOutputs.warning(release(judge, true, "self-harm", "csam")))
                    .as("judge %s", judge)
                    .hasValueSatisfying(w -> {
                        assertThat(w.type()).isEqualTo(WordListLiveOutputs.TYPE);
                        assertThat(w.reason()).isEqualTo("NoClassifier");
                        assertThat(w.message())
                                .contains(
                                        "word list",
                                        "a live output in [self-harm, csam] is not a critical failure",
                                        "kind llamaGuard and liveOutputs: true",
                                        "judge.liveOutputs: false");
                    });
        }
    }

    @Test
    void aLlamaGuardJudgeOfLiveOutputsGetsNoWarning() {
        assertThat(WordListLiveOutputs.warning(release(llamaGuard(null).withLiveOutputs(true), true, "self-harm")))
                .isEmpty();
    }

    @Test
    void moreThanEightCriticalCategoriesAreCounted() {
        String[] many =
                java.util.stream.IntStream.range(0, 11).mapToObj(i -> "c" + i).toArray(String[]::new);
        assertThat(WordListLiveOutputs.warning(release(null, true, many)))
                .hasValueSatisfying(w -> assertThat(w.message())
                        .contains("[c0, c1, c2, c3, c4, c5, c6, c7] and 3 more")
                        .doesNotContain("c8"));
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
