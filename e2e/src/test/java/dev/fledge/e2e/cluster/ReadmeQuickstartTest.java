package dev.fledge.e2e.cluster;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.ObjectMapper;
import dev.fledge.e2e.apiserver.RepoFiles;
import java.nio.file.Path;
import org.junit.jupiter.api.Test;

/**
 * The README's quick-start commands, as the cluster tier reads them ({@link QuickstartOnClusterTest}), checked in
 * every build: a README edit that breaks them fails here first, not only on the real cluster.
 */
class ReadmeQuickstartTest {

    @Test
    void theReadmeQuickStartNamesItsNamespaceModelsAndPatch() throws Exception {
        Path repo = RepoFiles.repo();
        ReadmeQuickstart readme = ReadmeQuickstart.read(repo);

        assertThat(readme.namespace()).isEqualTo("ml");
        assertThat(readme.modelFiles()).containsExactly("examples/models/v1.zip", "examples/models/v2.zip");
        assertThat(readme.modelFiles())
                .allSatisfy(f -> assertThat(repo.resolve(f)).isRegularFile());
        var patch = new ObjectMapper().readTree(readme.patch()).path("spec").path("model");
        assertThat(patch.path("version").asText()).isEqualTo("2.0.0");
        assertThat(patch.path("uri").asText()).isEqualTo("file:///models/v2.zip");
        // the digest the README gives is the committed archive's
        assertThat(repo.resolve("examples/models/v2.zip.sha256"))
                .content()
                .startsWith(patch.path("sha256").asText());
    }
}
