package dev.fledge.operator.workload;

import static org.assertj.core.api.Assertions.assertThat;

import dev.fledge.api.ModelRelease;
import dev.fledge.api.spec.AutoscalingSpec;
import dev.fledge.api.spec.PodsMetricSpec;
import io.fabric8.kubernetes.api.model.FieldsV1;
import io.fabric8.kubernetes.api.model.ManagedFieldsEntryBuilder;
import io.fabric8.kubernetes.api.model.ObjectMetaBuilder;
import io.fabric8.kubernetes.api.model.apps.Deployment;
import io.fabric8.kubernetes.api.model.apps.DeploymentBuilder;
import io.fabric8.kubernetes.api.model.autoscaling.v2.HorizontalPodAutoscaler;
import java.util.Map;
import org.junit.jupiter.api.Test;

/** The HorizontalPodAutoscaler of a track, and who owns a Deployment's replicas (issue 18, part 3). */
class AutoscalersTest {

    static ModelRelease release() {
        ModelRelease mr = new ModelRelease();
        mr.setMetadata(new ObjectMetaBuilder()
                .withName("assistant")
                .withNamespace("ml")
                .withUid("uid-1")
                .build());
        return mr;
    }

    @Test
    void anAutoscalerTargetsItsTracksDeploymentAtTheFloorWithinTheMaximum() {
        HorizontalPodAutoscaler hpa = Autoscalers.desired(
                release(), "canary", new AutoscalingSpec().withMinReplicas(1).withMaxReplicas(6), 3);
        assertThat(hpa.getMetadata().getName()).isEqualTo("assistant-canary");
        assertThat(hpa.getMetadata().getOwnerReferences())
                .singleElement()
                .satisfies(o -> assertThat(o.getUid()).isEqualTo("uid-1"));
        assertThat(hpa.getSpec().getScaleTargetRef().getName()).isEqualTo("assistant-canary");
        assertThat(hpa.getSpec().getMinReplicas()).isEqualTo(3);
        assertThat(hpa.getSpec().getMaxReplicas()).isEqualTo(6);
        assertThat(hpa.getSpec().getMetrics()).singleElement().satisfies(m -> {
            assertThat(m.getContainerResource().getContainer())
                    .as("the model container's CPU, not the pod's (a sidecar, a container without a request)")
                    .isEqualTo("model-server");
            assertThat(m.getContainerResource().getTarget().getAverageUtilization())
                    .as("the default target")
                    .isEqualTo(AutoscalingSpec.DEFAULT_CPU_UTILIZATION);
        });
    }

    @Test
    void aPodsMetricAloneReplacesTheCpuTargetAndBothCanBeSet() {
        PodsMetricSpec queue =
                new PodsMetricSpec().withName("vllm_num_requests_waiting").withAverageValue("5");
        HorizontalPodAutoscaler pods = Autoscalers.desired(
                release(), "stable", new AutoscalingSpec().withMaxReplicas(4).withPodsMetric(queue), 1);
        assertThat(pods.getSpec().getMetrics()).singleElement().satisfies(m -> {
            assertThat(m.getType()).isEqualTo("Pods");
            assertThat(m.getPods().getMetric().getName()).isEqualTo("vllm_num_requests_waiting");
            assertThat(m.getPods().getTarget().getAverageValue().toString()).isEqualTo("5");
        });
        HorizontalPodAutoscaler both = Autoscalers.desired(
                release(),
                "stable",
                new AutoscalingSpec()
                        .withMaxReplicas(4)
                        .withTargetCPUUtilization(60)
                        .withPodsMetric(queue),
                1);
        assertThat(both.getSpec().getMetrics()).extracting("type").containsExactly("ContainerResource", "Pods");
    }

    @Test
    void replicasOwnedThroughTheScaleSubresourceMeanAnAutoscalerSizedTheDeployment() {
        Deployment byHpa = owned("kube-controller-manager", "Update", "scale");
        assertThat(Autoscalers.scaledByAutoscaler(byHpa)).isTrue();
        assertThat(Autoscalers.ownedByApply(byHpa)).isFalse();
        Deployment byApply = owned(Applier.FIELD_MANAGER, "Apply", null);
        assertThat(Autoscalers.scaledByAutoscaler(byApply)).isFalse();
        assertThat(Autoscalers.ownedByApply(byApply)).isTrue();
        assertThat(Autoscalers.scaledByAutoscaler(null)).isFalse();
    }

    static Deployment owned(String manager, String operation, String subresource) {
        FieldsV1 fields = new FieldsV1();
        fields.setAdditionalProperty("f:spec", Map.of("f:replicas", Map.of()));
        return new DeploymentBuilder()
                .withNewMetadata()
                .withName("assistant-stable")
                .withNamespace("ml")
                .withManagedFields(new ManagedFieldsEntryBuilder()
                        .withManager(manager)
                        .withOperation(operation)
                        .withSubresource(subresource)
                        .withFieldsV1(fields)
                        .build())
                .endMetadata()
                .withNewSpec()
                .withReplicas(3)
                .endSpec()
                .build();
    }
}
