package dev.fledge.api;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ObjectNode;
import com.networknt.schema.JsonSchema;
import com.networknt.schema.JsonSchemaFactory;
import com.networknt.schema.SpecVersion;
import com.networknt.schema.ValidationMessage;
import io.fabric8.kubernetes.api.model.GenericKubernetesResource;
import io.fabric8.kubernetes.client.utils.Serialization;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Arrays;
import java.util.Iterator;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.stream.Stream;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.MethodSource;
import org.junit.jupiter.params.provider.ValueSource;

/**
 * Every file in examples/ is checked offline against the generated CRD's openAPIV3Schema, with unknown fields
 * refused (as kubectl's strict field validation does), and deserialises into the Java types. CEL rules are not
 * evaluated here; the real-API-server suite applies the examples with a server-side dry run.
 */
class ExamplesMatchTheCrdSchemaTest {
    static final ObjectMapper JSON = new ObjectMapper();
    static JsonSchema schema;

    @BeforeAll
    static void loadSchema() throws IOException {
        JsonNode crd = JSON.valueToTree(GeneratedCrd.load());
        JsonNode open = crd.at("/spec/versions/0/schema/openAPIV3Schema").deepCopy();
        ObjectNode spec = (ObjectNode) open.at("/properties/spec");
        strict(spec);
        schema = JsonSchemaFactory.getInstance(SpecVersion.VersionFlag.V4).getSchema(open);
    }

    static Stream<Path> examples() throws IOException {
        return Files.list(Path.of("../examples"))
                .filter(p -> p.toString().endsWith(".yaml"))
                .sorted();
    }

    /** The ModelRelease documents of an example file (others, such as a judge's Deployment, are not checked here). */
    static List<String> releases(Path example) throws IOException {
        return Arrays.stream(Files.readString(example).split("(?m)^---\\s*$"))
                .filter(doc -> doc.lines().anyMatch(l -> l.equals("kind: ModelRelease")))
                .toList();
    }

    @Test
    void theExamplesHoldModelReleases() throws IOException {
        long releases = 0;
        for (Path example : examples().toList()) {
            releases += releases(example).size();
        }
        assertThat(releases).as("ModelReleases in examples/").isGreaterThanOrEqualTo(3);
    }

    @ParameterizedTest
    @MethodSource("examples")
    void exampleIsValidAgainstTheSchema(Path example) throws IOException {
        for (String doc : releases(example)) {
            assertThat(errors(doc)).as(example.toString()).isEmpty();
            ModelRelease mr = Serialization.unmarshal(doc, ModelRelease.class);
            assertThat(mr.getSpec().getModel().getVersion()).isNotBlank();
        }
    }

    @ParameterizedTest
    @ValueSource(
            strings = {
                "spec: {model: {name: a, version: '1', uri: 'file:///m'}, traffic: {routr: replicas}}",
                "spec: {model: {name: a, version: '1', uri: 'file:///m'}, traffic: {router: istio}}",
                "spec: {model: {name: a, version: '1', uri: 'ftp://m'}}",
                "spec: {model: {name: a, uri: 'file:///m'}}",
                "spec: {model: {name: a, version: '1', uri: 'file:///m'}, analysis: {safety: {maxHarmRate: 1.0, online: true}}}",
                "spec: {model: {name: a, version: '1', uri: 'file:///m'}, progressDeadline: soon}",
            })
    void aBrokenReleaseIsRejected(String spec) throws IOException {
        assertThat(errors("apiVersion: fledge.dev/v1alpha1\nkind: ModelRelease\nmetadata: {name: x}\n" + spec))
                .isNotEmpty();
    }

    private static Set<ValidationMessage> errors(String yaml) {
        GenericKubernetesResource r = Serialization.unmarshal(yaml, GenericKubernetesResource.class);
        return schema.validate(JSON.valueToTree(r));
    }

    /** Objects with declared properties refuse unknown ones, unless the CRD preserves unknown fields there. */
    private static void strict(ObjectNode node) {
        if (node.has("properties")
                && !node.path("x-kubernetes-preserve-unknown-fields").asBoolean(false)) {
            node.put("additionalProperties", false);
        }
        Iterator<Map.Entry<String, JsonNode>> fields = node.fields();
        while (fields.hasNext()) {
            Map.Entry<String, JsonNode> f = fields.next();
            if (f.getValue() instanceof ObjectNode child) {
                strict(child);
            }
        }
    }
}
