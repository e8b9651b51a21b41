package dev.fledge.e2e.docs;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatCode;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.dataformat.yaml.YAMLFactory;
import dev.fledge.e2e.apiserver.ClusterResources;
import dev.fledge.e2e.apiserver.RealApiServer;
import dev.fledge.e2e.apiserver.RepoFiles;
import io.fabric8.kubernetes.api.model.GenericKubernetesResource;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import org.junit.jupiter.api.Tag;
import org.junit.jupiter.api.Test;

/**
 * Every YAML block in the docs parses, and every ModelRelease among them passes the CRD on the real API server
 * ({@code kubectl apply --server-side --dry-run=server}): a reader who copies one gets no schema error.
 */
@Tag("apiserver")
class DocsYamlAcceptedTest {
    private static final Pattern FENCE = Pattern.compile("(?m)^( *)```ya?ml\\n(.*?)^\\1```", Pattern.DOTALL);
    private static final ObjectMapper YAML = new ObjectMapper(new YAMLFactory());

    record Block(String doc, int line, String yaml) {
        @Override
        public String toString() {
            return doc + ":" + line;
        }
    }

    static List<Block> blocks() {
        List<Block> blocks = new ArrayList<>();
        RepoText.load().docs().forEach((doc, text) -> {
            Matcher m = FENCE.matcher(text);
            while (m.find()) {
                String indent = m.group(1);
                String yaml = m.group(2).replaceAll("(?m)^" + indent, "");
                int line = text.substring(0, m.start()).split("\n", -1).length;
                blocks.add(new Block(doc, line, yaml));
            }
        });
        return blocks;
    }

    @Test
    void everyYamlBlockInTheDocsParsesAndEveryModelReleaseIsAccepted() throws Exception {
        List<Block> blocks = blocks();
        long opened = RepoText.load().docs().values().stream()
                .mapToLong(text -> Pattern.compile("(?m)^ *```ya?ml$")
                        .matcher(text)
                        .results()
                        .count())
                .sum();
        assertThat(blocks)
                .as("YAML blocks in the docs, each closed at its own indent")
                .hasSize((int) opened);
        assertThat(blocks).as("YAML blocks in the docs").isNotEmpty();
        List<JsonNode> releases = new ArrayList<>();
        for (Block block : blocks) {
            List<JsonNode> documents = new ArrayList<>();
            assertThatCode(() -> YAML.readerFor(JsonNode.class)
                            .readValues(block.yaml())
                            .forEachRemaining(d -> documents.add((JsonNode) d)))
                    .as("YAML at %s", block)
                    .doesNotThrowAnyException();
            documents.stream()
                    .filter(d -> "ModelRelease".equals(d.path("kind").asText())
                            && d.path("apiVersion").asText().startsWith("fledge.dev/"))
                    .forEach(releases::add);
        }
        if (releases.isEmpty()) {
            return; // nothing to send: the examples/ manifests are checked by ExamplesAcceptedTest
        }
        ClusterResources cluster = new ClusterResources(RealApiServer.shared().client());
        cluster.installCrds(List.of(RepoFiles.modelReleaseCrd()));
        cluster.ensureNamespace("docs");
        for (JsonNode release : releases) {
            @SuppressWarnings("unchecked")
            GenericKubernetesResource item =
                    YAML.convertValue(YAML.convertValue(release, Map.class), GenericKubernetesResource.class);
            assertThatCode(() -> cluster.dryRunApply(item, "docs"))
                    .as("ModelRelease %s in the docs", item.getMetadata().getName())
                    .doesNotThrowAnyException();
        }
    }
}
