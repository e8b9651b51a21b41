package dev.fledge.operator.gates.safety;

import dev.fledge.api.KubeNames;
import dev.fledge.api.spec.ConfigMapKeyRef;
import io.fabric8.kubernetes.api.model.ConfigMap;
import io.fabric8.kubernetes.client.KubernetesClient;

/** Prompt suites from ConfigMaps in the release namespace. */
public final class ConfigMapSuites implements SuiteSource {
    private final KubernetesClient client;

    public ConfigMapSuites(KubernetesClient client) {
        this.client = client;
    }

    @Override
    public PromptSuite load(String namespace, ConfigMapKeyRef ref) {
        String key = ref.getKey() == null ? DEFAULT_KEY : ref.getKey();
        if (!KubeNames.isObjectName(ref.getName())) {
            // the schema refuses it since 2026-12-07; a release stored before never has it put in a request's path
            throw new IllegalArgumentException(
                    "\"" + ref.getName() + "\" is not a ConfigMap name: the suite is not read");
        }
        ConfigMap cm = client.configMaps()
                .inNamespace(namespace)
                .withName(ref.getName())
                .get();
        if (cm == null) {
            throw new IllegalArgumentException("ConfigMap " + namespace + "/" + ref.getName() + " not found");
        }
        String yaml = cm.getData() == null ? null : cm.getData().get(key);
        if (yaml == null) {
            throw new IllegalArgumentException("ConfigMap " + ref.getName() + " has no key " + key);
        }
        return PromptSuite.parse(DEFAULT_KEY.equals(key) ? ref.getName() : ref.getName() + "/" + key, yaml);
    }
}
