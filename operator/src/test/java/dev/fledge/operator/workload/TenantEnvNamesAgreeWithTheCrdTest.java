package dev.fledge.operator.workload;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.dataformat.yaml.YAMLFactory;
import java.io.IOException;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import java.util.stream.Stream;
import org.junit.jupiter.api.Test;

/**
 * The env names a release may not set are written once (dev.fledge.api.spec.TenantEnvNames): the committed CRD's CEL
 * rules on {@code env[].name} and the operator's {@link ModelServerLimits#refusal} must say the same thing. Here: the
 * operator refuses each kind of name with the message the API server gives for it, and every name or prefix the
 * operator refuses is spelled in the CRD's rules. (Name-by-name agreement on a real API server:
 * TenantIsolationOnRealApiServerTest#theApiServerAndTheOperatorRefuseTheSameEnvNames.)
 */
class TenantEnvNamesAgreeWithTheCrdTest {
    static final Path CRD = Path.of("..", "helm", "fledge", "crds", "modelreleases.fledge.dev-v1.yml")
            .toAbsolutePath();

    record Rule(String rule, String message) {}

    static List<Rule> crdEnvNameRules() throws IOException {
        JsonNode crd = new ObjectMapper(new YAMLFactory()).readTree(CRD.toFile());
        JsonNode name = crd.at("/spec/versions/0/schema/openAPIV3Schema/properties/spec/properties/server/properties"
                + "/template/properties/spec/properties/containers/items/properties/env/items/properties/name");
        List<Rule> rules = new ArrayList<>();
        for (JsonNode v : name.path("x-kubernetes-validations")) {
            rules.add(new Rule(v.path("rule").asText(), v.path("message").asText()));
        }
        assertThat(rules).as("the CEL rules on env[].name in %s", CRD).isNotEmpty();
        return rules;
    }

    @Test
    void theOperatorRefusesEachKindOfNameWithTheApiServersOwnMessage() throws IOException {
        List<String> messages = crdEnvNameRules().stream().map(Rule::message).toList();
        for (String name : List.of(
                "FLEDGE_MODEL_MAX_DOWNLOAD_SIZE",
                "FLEDGE_FEEDBACK_SIGNING_KEY_FILE",
                "fledge.feedback.signing-key-file",
                "quarkus.config.locations",
                "_PROD_FLEDGE_X",
                "LD_PRELOAD",
                "DJL_CACHE_DIR",
                "ENGINE_CACHE_DIR",
                "PATH",
                "JAVA_TOOL_OPTIONS")) {
            assertThat(ModelServerLimits.refusal(name))
                    .as("the operator refuses %s with one of the CRD's messages", name)
                    .hasValueSatisfying(why -> assertThat(messages).contains(why));
        }
    }

    @Test
    void everyNameTheOperatorRefusesOrAllowsIsSpelledInTheCrdsRules() throws IOException {
        String rules =
                String.join("\n", crdEnvNameRules().stream().map(Rule::rule).toList());
        Stream.of(
                        ModelServerLimits.CONFIG_PREFIXES,
                        ModelServerLimits.NATIVE_PREFIXES,
                        ModelServerLimits.PROCESS_NAMES,
                        ModelServerLimits.LINKER_PREFIXES,
                        ModelServerLimits.TENANT_NAMES)
                .flatMap(List::stream)
                .map(n -> n.replaceAll("_$", "").toLowerCase(Locale.ROOT).replace("_", "[^a-z0-9]"))
                .forEach(spelled ->
                        assertThat(rules).as("the CRD's rules name %s", spelled).contains(spelled));
        ModelServerLimits.TENANT_PREFIXES.stream()
                .map(p -> p.replaceAll("^FLEDGE_|_$", "").toLowerCase(Locale.ROOT))
                .forEach(p -> assertThat(rules).contains("fledge[^a-z0-9](").contains(p));
        ModelServerLimits.JVM_OPTIONS.forEach(o -> assertThat(rules).contains("'" + o + "'"));
    }
}
