package dev.fledge.api;

import static org.assertj.core.api.Assertions.assertThat;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import org.junit.jupiter.api.Test;

/**
 * The CRD YAML and the CRD reference are generated from the API types and committed. This test fails when a
 * committed copy differs from what this build generates; {@code make generate} (system property
 * {@code fledge.generate=true}) rewrites them instead.
 */
class GeneratedFilesAreFreshTest {
    static final Path CRD = Path.of("../helm/fledge/crds/modelreleases.fledge.dev-v1.yml");
    static final Path REFERENCE = Path.of("../docs/crd-reference.md");

    @Test
    void committedCrdMatchesTheGeneratedOne() throws IOException {
        check(CRD, GeneratedCrd.yaml());
    }

    @Test
    void committedCrdReferenceMatchesTheGeneratedOne() throws IOException {
        check(REFERENCE, new CrdReference(GeneratedCrd.load()).markdown());
    }

    private static void check(Path committed, String generated) throws IOException {
        if (Boolean.getBoolean("fledge.generate")) {
            Files.createDirectories(committed.getParent());
            Files.writeString(committed, generated);
            return;
        }
        assertThat(committed).as("%s is missing: run make generate", committed).exists();
        assertThat(Files.readString(committed))
                .as("%s is stale or was edited by hand: run make generate and commit the result", committed)
                .isEqualTo(generated);
    }
}
