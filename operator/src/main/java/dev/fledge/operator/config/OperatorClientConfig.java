package dev.fledge.operator.config;

import io.fabric8.kubernetes.client.Config;
import io.quarkus.arc.Unremovable;
import io.quarkus.kubernetes.client.KubernetesConfigCustomizer;
import jakarta.inject.Singleton;

/** The Quarkus-built client (the one JOSDK and the operator use) gets the operator's retries ({@link ClientRetries}). */
@Singleton
@Unremovable // looked up as one of all customizers, never injected by name
public class OperatorClientConfig implements KubernetesConfigCustomizer {
    @Override
    public void customize(Config config) {
        ClientRetries.apply(config);
    }
}
