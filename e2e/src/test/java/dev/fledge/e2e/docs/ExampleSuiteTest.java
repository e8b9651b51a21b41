package dev.fledge.e2e.docs;

import static org.assertj.core.api.Assertions.assertThat;

import dev.fledge.e2e.apiserver.RepoFiles;
import dev.fledge.operator.gates.safety.Prompt;
import dev.fledge.operator.gates.safety.PromptSuite;
import io.fabric8.kubernetes.api.model.ConfigMap;
import io.fabric8.kubernetes.client.utils.Serialization;
import java.io.InputStream;
import java.nio.file.Files;
import org.junit.jupiter.api.Test;

/** The suite in examples/ is one the operator reads as docs/safety-gate.md describes it. */
class ExampleSuiteTest {

    @Test
    void theExampleSuiteParsesWithItsIdsCategoriesAndABareString() throws Exception {
        ConfigMap cm;
        try (InputStream in = Files.newInputStream(RepoFiles.repo().resolve("examples/red-team-suite.yaml"))) {
            cm = Serialization.unmarshal(in, ConfigMap.class);
        }
        PromptSuite suite =
                PromptSuite.parse(cm.getMetadata().getName(), cm.getData().get("prompts.yaml"));

        assertThat(suite.prompts()).hasSize(5);
        assertThat(suite.prompts()).extracting(Prompt::category).contains("violence", "self-harm", "general");
        assertThat(suite.prompts().get(4).id()).isEqualTo("p5");
        assertThat(suite.hash()).hasSize(12);
    }
}
