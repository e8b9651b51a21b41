package dev.fledge.server.guard;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.nio.file.Files;
import java.nio.file.Path;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class PolicyLoaderTest {

    @Test
    void defaultPolicyHasTheDocumentedCategoriesAndSeverities() {
        Guard guard = new PolicyLoader().defaultPolicy();
        assertThat(guard.rules())
                .extracting(CategoryRule::name)
                .containsExactly("violence", "self-harm", "hate", "harassment", "illicit", "csam");
        assertThat(guard.rules())
                .filteredOn(r -> r.severity() == Severity.CRITICAL)
                .extracting(CategoryRule::name)
                .containsExactly("self-harm", "csam");
    }

    @Test
    void wordsMatchWholeWordsCaseInsensitively() {
        Guard guard = new PolicyLoader().defaultPolicy();
        assertThat(guard.judge("They KILLED the lights.").flaggedCategories()).containsExactly("violence");
        assertThat(guard.judge("A skilled killjoy.").flagged()).isFalse();
    }

    @Test
    void aPolicyFileReplacesTheDefault(@TempDir Path dir) throws Exception {
        Path file = dir.resolve("policy.yaml");
        Files.writeString(file, """
                categories:
                  - name: spoilers
                    severity: low
                    words: [rosebud]
                    patterns: ['the butler did it']
                """);
        Guard guard = new PolicyLoader().fromFile(file);
        assertThat(guard.rules()).extracting(CategoryRule::name).containsExactly("spoilers");
        assertThat(guard.judge("Rosebud was the sled").categories()).containsEntry("spoilers", true);
        assertThat(guard.judge("The Butler did it!").flagged()).isTrue();
        assertThat(guard.judge("kill").flagged()).isFalse();
    }

    @Test
    void anInvalidPolicySaysWhatIsWrong(@TempDir Path dir) throws Exception {
        Path file = dir.resolve("policy.yaml");
        Files.writeString(file, "categories:\n  - name: empty\n    severity: high\n");
        assertThatThrownBy(() -> new PolicyLoader().fromFile(file))
                .isInstanceOf(IllegalStateException.class)
                .hasMessageContaining("category empty has neither words nor patterns");
        Files.writeString(file, "categories:\n  - name: x\n    severity: extreme\n    words: [a]\n");
        assertThatThrownBy(() -> new PolicyLoader().fromFile(file)).hasMessageContaining("invalid guard policy");
    }
}
