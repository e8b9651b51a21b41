package dev.fledge.operator.k8s;

import static org.assertj.core.api.Assertions.assertThat;

import io.fabric8.kubernetes.api.model.FieldsV1;
import io.fabric8.kubernetes.api.model.ManagedFieldsEntry;
import io.fabric8.kubernetes.api.model.ManagedFieldsEntryBuilder;
import io.fabric8.kubernetes.api.model.apps.Deployment;
import io.fabric8.kubernetes.api.model.apps.DeploymentBuilder;
import java.util.Map;
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

    @Test
    void whoOwnsReplicasIsKeptCutDownToThatFieldAndNothingElse() {
        LeanItemStore<Deployment> store = new LeanItemStore<>();
        FieldsV1 scale = new FieldsV1();
        scale.setAdditionalProperty("f:spec", Map.of("f:replicas", Map.of()));
        FieldsV1 apply = new FieldsV1();
        apply.setAdditionalProperty(
                "f:spec", Map.of("f:replicas", Map.of(), "f:template", Map.of("f:metadata", Map.of())));
        apply.setAdditionalProperty("f:metadata", Map.of("f:labels", Map.of()));
        FieldsV1 status = new FieldsV1();
        status.setAdditionalProperty("f:status", Map.of("f:replicas", Map.of()));
        Deployment d = new DeploymentBuilder()
                .withNewMetadata()
                .withName("assistant-stable")
                .withNamespace("ml")
                .withManagedFields(
                        new ManagedFieldsEntryBuilder()
                                .withManager("kube-controller-manager")
                                .withOperation("Update")
                                .withSubresource("scale")
                                .withFieldsV1(scale)
                                .build(),
                        new ManagedFieldsEntryBuilder()
                                .withManager("fledge-operator")
                                .withOperation("Apply")
                                .withFieldsV1(apply)
                                .build(),
                        new ManagedFieldsEntryBuilder()
                                .withManager("kube-controller-manager")
                                .withOperation("Update")
                                .withSubresource("status")
                                .withFieldsV1(status)
                                .build())
                .endMetadata()
                .build();

        store.put(store.getKey(d), d);

        var kept = store.get("ml/assistant-stable").getMetadata().getManagedFields();
        assertThat(kept)
                .extracting(ManagedFieldsEntry::getManager)
                .containsExactly("kube-controller-manager", "fledge-operator");
        assertThat(kept.get(0).getSubresource()).isEqualTo("scale");
        assertThat(kept.get(1).getFieldsV1().getAdditionalProperties())
                .isEqualTo(Map.of("f:spec", Map.of("f:replicas", Map.of())));
    }
}
