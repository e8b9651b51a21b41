package dev.fledge.operator.gates.safety;

import dev.fledge.api.spec.ConfigMapKeyRef;

/** Where prompt suites come from. Throws {@link IllegalArgumentException} with a reason when a suite is unusable. */
public interface SuiteSource {
    String DEFAULT_KEY = "prompts.yaml";

    PromptSuite load(String namespace, ConfigMapKeyRef ref);
}
