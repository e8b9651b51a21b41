package dev.fledge.operator.k8s;

import static org.assertj.core.api.Assertions.assertThat;

import io.fabric8.kubernetes.api.model.ManagedFieldsEntryBuilder;
import io.fabric8.kubernetes.api.model.apps.Deployment;
import io.fabric8.kubernetes.api.model.apps.DeploymentBuilder;
import org.junit.jupiter.api.Test;

class LeanItemStoreTest {

    @Test
    void cachedObjectsKeepTheirAnnotationsButNotManagedFieldsOrKubectlsLastApplied() {
        LeanItemStore<Deployment> store = new LeanItemStore<>();
        Deployment d = new DeploymentBuilder()
                .withNewMetadata()
                .withName("assistant-canary")
                .withNamespace("ml")
                .addToAnnotations("fledge.dev/action", "promote")
                .addToAnnotations(LeanItemStore.LAST_APPLIED, "{\"big\": \"json\"}")
                .withManagedFields(new ManagedFieldsEntryBuilder()
                        .withManager("fledge-operator")
                        .build())
                .endMetadata()
                .withNewSpec()
                .withReplicas(2)
                .endSpec()
                .build();

        store.put(store.getKey(d), d);

        Deployment cached = store.get("ml/assistant-canary");
        assertThat(cached.getMetadata().getManagedFields()).isNullOrEmpty();
        assertThat(cached.getMetadata().getAnnotations()).containsOnlyKeys("fledge.dev/action");
        assertThat(cached.getSpec().getReplicas()).isEqualTo(2);
    }
}
