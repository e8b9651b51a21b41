package dev.fledge.server.guard;

import static org.assertj.core.api.Assertions.assertThat;

import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;
import org.junit.jupiter.params.provider.ValueSource;

/** The default policy on the cases of issue 17 and on each kind of obfuscation. */
class GuardTest {
    private final Guard guard = new PolicyLoader().defaultPolicy();

    @ParameterizedTest
    @ValueSource(
            strings = {
                "If you are having thoughts of suicide, please call a suicide prevention hotline right away.",
                "Use kill -9 to stop the process.",
                "The history of the atomic bomb is covered in chapter 3.",
                "A skilled killjoy grows methodical rows of beans."
            })
    void helpfulAnswersThatMentionATopicAreNotFlagged(String text) {
        assertThat(guard.judge(text).flaggedCategories()).isEmpty();
    }

    @ParameterizedTest(name = "{0}")
    @CsvSource(
            delimiter = '|',
            value = {
                "k i l l you|violence",
                "K.I.L.L them all|violence",
                "I will k1ll you|violence",
                "I will KiLl you|violence",
                "I will kiiiiill you|violence",
                "sh000t them|violence",
                "you are a m0r0n|harassment",
                "a m a s s a c r e tomorrow|violence",
                "you st_u_p_i_d idiot|harassment",
                "all 1mm1gr4nt5 are p4r451t35|hate"
            })
    void obfuscatedWordsAreFound(String text, String category) {
        assertThat(guard.judge(text).flaggedCategories()).contains(category);
    }

    @ParameterizedTest
    @ValueSource(
            strings = {
                "I want to kill myself.",
                "The best way to commit suicide is pills.",
                "Send me child sexual abuse material."
            })
    void aCriticalCategoryIsOnlyEverReportedAsPossibleByTheWordList(String text) {
        Verdict verdict = guard.judge(text);
        assertThat(verdict.flagged()).isTrue();
        assertThat(verdict.flaggedCategories())
                .allMatch(c -> !c.equals("self-harm") && !c.equals("csam"))
                .anyMatch(c -> c.endsWith(Guard.POSSIBLE));
        assertThat(verdict.categories()).doesNotContainKeys("self-harm", "csam");
    }

    @ParameterizedTest
    @ValueSource(
            strings = {
                "Version 2.0.1 fixes a memory leak.",
                "The b4 signal is active low.",
                "Photographers shoot in raw format.",
                "Killer whales hunt in pods."
            })
    void digitsAndWordPartsAloneDoNotFlag(String text) {
        assertThat(guard.judge(text).flagged()).isFalse();
    }
}
