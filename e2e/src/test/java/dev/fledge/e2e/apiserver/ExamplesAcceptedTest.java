package dev.fledge.e2e.apiserver;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatCode;

import io.fabric8.kubernetes.api.model.HasMetadata;
import java.nio.file.Path;
import java.util.List;
import java.util.Objects;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Tag;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.MethodSource;

/** Every manifest in examples/ passes {@code kubectl apply --server-side --dry-run=server}. */
@Tag("apiserver")
class ExamplesAcceptedTest {

    private static final String DEFAULT_NAMESPACE = "examples";
    private static ClusterResources cluster;

    @BeforeAll
    static void installCrds() {
        cluster = new ClusterResources(RealApiServer.shared().client());
        cluster.installCrds(RepoFiles.gatewayApiCrds());
        cluster.installCrds(List.of(RepoFiles.modelReleaseCrd()));
        cluster.ensureNamespace(DEFAULT_NAMESPACE);
    }

    static List<Path> examples() {
        return RepoFiles.examples();
    }

    @Test
    void examplesDirectoryHasManifests() {
        assertThat(examples())
                .as("manifests in examples/ (an empty directory would check nothing)")
                .isNotEmpty();
    }

    // no allowZeroInvocations: an empty examples/ fails here too, instead of passing with nothing checked
    @ParameterizedTest(name = "{0}")
    @MethodSource("examples")
    void exampleIsAcceptedByServerSideDryRun(Path example) {
        List<HasMetadata> items = cluster.load(example);
        assertThat(items).as("objects in %s", example).isNotEmpty();
        items.stream()
                .map(item -> item.getMetadata().getNamespace())
                .filter(Objects::nonNull)
                .distinct()
                .forEach(cluster::ensureNamespace);

        for (HasMetadata item : items) {
            assertThatCode(() -> cluster.dryRunApply(item, DEFAULT_NAMESPACE))
                    .as("%s %s in %s", item.getKind(), item.getMetadata().getName(), example.getFileName())
                    .doesNotThrowAnyException();
        }
    }
}
