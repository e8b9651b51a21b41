package dev.fledge.e2e.docs;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.dataformat.yaml.YAMLFactory;
import dev.fledge.api.ModelRelease;
import dev.fledge.operator.validation.SpecValidator;
import io.fabric8.kubernetes.client.utils.Serialization;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;
import org.junit.jupiter.api.Test;

/**
 * Every ModelRelease in a YAML block of the docs passes the operator's own validation too (the CRD schema is
 * {@link DocsYamlAcceptedTest}'s): a reader who copies one gets no {@code Invalid} release.
 */
class DocsReleasesAreValidTest {
    private static final ObjectMapper YAML = new ObjectMapper(new YAMLFactory());

    @Test
    void everyModelReleaseInTheDocsPassesTheOperatorsValidation() throws Exception {
        Map<String, List<String>> refused = new TreeMap<>();
        int releases = 0;
        for (DocsYamlAcceptedTest.Block block : DocsYamlAcceptedTest.blocks()) {
            List<JsonNode> documents = new ArrayList<>();
            YAML.readerFor(JsonNode.class).readValues(block.yaml()).forEachRemaining(d -> documents.add((JsonNode) d));
            for (JsonNode d : documents) {
                if (!"ModelRelease".equals(d.path("kind").asText())) {
                    continue;
                }
                releases++;
                ModelRelease mr = Serialization.unmarshal(YAML.writeValueAsString(d), ModelRelease.class);
                if (mr.getMetadata().getNamespace() == null) {
                    mr.getMetadata().setNamespace("ml");
                }
                List<String> errors = new SpecValidator().validate(mr);
                if (!errors.isEmpty()) {
                    refused.put(block + " " + mr.getMetadata().getName(), errors);
                }
            }
        }

        assertThat(releases).as("ModelReleases in the docs").isPositive();
        assertThat(refused)
                .as("ModelReleases in the docs that the operator would mark Invalid")
                .isEmpty();
    }
}
