package dev.fledge.server.guard;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.util.Optional;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

class ClassifierCategoriesTest {
    private final ClassifierCategories mapping =
            ClassifierCategories.parse(Optional.of("S1=violence, S11=self-harm,S4=sexual/minors"));

    @Test
    void safeIsAVerdictWithNoCategory() {
        assertThat(mapping.read(" safe \n")).hasValueSatisfying(v -> {
            assertThat(v.flagged()).isFalse();
            assertThat(v.flaggedCategories()).isEmpty();
        });
    }

    @Test
    void unsafeCodesCountUnderTheirMappedNamesAndOthersUnderOneName() {
        assertThat(mapping.read("unsafe\n s11, S1,s15,S011 ")).hasValueSatisfying(v -> {
            assertThat(v.flagged()).isTrue();
            assertThat(v.flaggedCategories()).containsExactly("self-harm", "violence", "unmapped");
        });
    }

    @ParameterizedTest
    @ValueSource(
            strings = {"unsafe", "UNSAFE\nO3", "unsafe\nviolence", "unsafe\nS1\nthe answer threatens", "unsafe\nS1,,S2"
            })
    void anUnsafeAnswerWhoseCodesCannotBeReadIsStillFlagged(String answer) {
        assertThat(mapping.read(answer)).hasValueSatisfying(v -> {
            assertThat(v.flagged()).isTrue();
            assertThat(v.flaggedCategories()).contains("unparsed");
        });
    }

    @ParameterizedTest
    @ValueSource(strings = {"", "maybe", "safe\nS1", "It is safe", "unsafe-ish"})
    void anythingElseIsNoVerdict(String answer) {
        assertThat(mapping.read(answer)).isEmpty();
    }

    @Test
    void theMappingIsCheckedAtStart() {
        assertThatThrownBy(() -> ClassifierCategories.parse(Optional.of("S1=Violence")))
                .isInstanceOf(IllegalArgumentException.class)
                .hasMessageContaining("S1=Violence");
        assertThatThrownBy(() -> ClassifierCategories.parse(Optional.of("violence=S1")))
                .isInstanceOf(IllegalArgumentException.class);
        assertThat(ClassifierCategories.parse(Optional.empty()).names()).containsExactly("unmapped", "unparsed");
        assertThat(mapping.names()).containsExactly("self-harm", "sexual/minors", "unmapped", "unparsed", "violence");
    }
}
