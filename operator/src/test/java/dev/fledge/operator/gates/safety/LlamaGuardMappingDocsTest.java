package dev.fledge.operator.gates.safety;

import static org.assertj.core.api.Assertions.assertThat;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import org.junit.jupiter.api.Test;

/** docs/safety-gate.md and the CRD's description of judge.categories give the default mapping the code applies. */
class LlamaGuardMappingDocsTest {
    static final Path REPO = Path.of("..").toAbsolutePath().normalize();

    @Test
    void theGuideAndTheCrdGiveTheDefaultMappingOfEveryCode() throws IOException {
        String guide = Files.readString(REPO.resolve("docs/safety-gate.md"));
        String crd = Files.readString(REPO.resolve("crds/src/main/java/dev/fledge/api/spec/JudgeSpec.java"));

        assertThat(LlamaGuardCategories.DEFAULTS).hasSize(14);
        LlamaGuardCategories.DEFAULTS.forEach((code, name) -> {
            assertThat(guide).containsPattern("(?m)^\\| " + code + " \\| [^|]+ \\| `" + name + "` \\|$");
            assertThat(crd).containsPattern("[(,] ?" + code + " " + name + "[,)]");
        });
    }
}
