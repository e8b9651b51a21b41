package dev.fledge.operator.workload;

import static org.assertj.core.api.Assertions.assertThat;

import dev.fledge.api.status.TrackCapacity;
import io.fabric8.kubernetes.api.model.Container;
import io.fabric8.kubernetes.api.model.ContainerBuilder;
import io.fabric8.kubernetes.api.model.PodTemplateSpec;
import io.fabric8.kubernetes.api.model.PodTemplateSpecBuilder;
import io.fabric8.kubernetes.api.model.Quantity;
import io.fabric8.kubernetes.api.model.apps.Deployment;
import io.fabric8.kubernetes.api.model.apps.DeploymentBuilder;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;

class TrackCapacitiesTest {
    static Container container(Map<String, String> requests, Map<String, String> limits) {
        return new ContainerBuilder()
                .withName("c")
                .withNewResources()
                .withRequests(quantities(requests))
                .withLimits(quantities(limits))
                .endResources()
                .build();
    }

    static Map<String, Quantity> quantities(Map<String, String> m) {
        return m.entrySet().stream()
                .collect(java.util.stream.Collectors.toMap(Map.Entry::getKey, e -> new Quantity(e.getValue())));
    }

    static PodTemplateSpec template(List<Container> containers, List<Container> init) {
        return new PodTemplateSpecBuilder()
                .withNewSpec()
                .withContainers(containers)
                .withInitContainers(init)
                .endSpec()
                .build();
    }

    @Test
    void everyResourceEndingInGpuCountsFromRequestsElseLimits() {
        PodTemplateSpec t = template(
                List.of(
                        container(Map.of("nvidia.com/gpu", "8", "cpu", "4"), Map.of("nvidia.com/gpu", "8")),
                        container(Map.of(), Map.of("amd.com/gpu", "2", "memory", "1Gi")),
                        container(Map.of("example.org/gpu", "1"), Map.of())),
                List.of());
        assertThat(TrackCapacities.gpusPerPod(t)).isEqualTo(11);
    }

    @Test
    void noGpusAndResourcesThatOnlyLookAlikeCountNothing() {
        PodTemplateSpec t = template(
                List.of(container(Map.of("cpu", "4", "nvidia.com/gpu-memory", "10", "gpu", "1"), Map.of())), List.of());
        assertThat(TrackCapacities.gpusPerPod(t)).isZero();
        assertThat(TrackCapacities.gpusPerPod(null)).isZero();
    }

    @Test
    void initContainersCountTheirLargestWhenItExceedsTheOthers() {
        PodTemplateSpec t = template(
                List.of(container(Map.of("nvidia.com/gpu", "1"), Map.of())),
                List.of(
                        container(Map.of("nvidia.com/gpu", "4"), Map.of()),
                        container(Map.of("nvidia.com/gpu", "2"), Map.of())));
        assertThat(TrackCapacities.gpusPerPod(t)).isEqualTo(4);
    }

    @Test
    void aTrackIsItsReplicasReadyReplicasAndGpusTimesReplicas() {
        Deployment d = new DeploymentBuilder()
                .withNewMetadata()
                .withName("x-stable")
                .endMetadata()
                .withNewSpec()
                .withReplicas(4)
                .withTemplate(template(List.of(container(Map.of(), Map.of("nvidia.com/gpu", "8"))), List.of()))
                .endSpec()
                .withNewStatus()
                .withReadyReplicas(3)
                .endStatus()
                .build();
        assertThat(TrackCapacities.of(d)).isEqualTo(new TrackCapacity(4, 3, 32L));
        assertThat(TrackCapacities.of((Deployment) null)).isNull();
    }
}
