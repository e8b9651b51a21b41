package dev.fledge.operator.workload;

import static org.assertj.core.api.Assertions.assertThat;

import io.fabric8.kubernetes.api.model.Pod;
import io.fabric8.kubernetes.client.utils.Serialization;
import java.io.IOException;
import java.io.InputStream;
import java.time.Duration;
import java.time.Instant;
import org.junit.jupiter.api.Test;

/**
 * {@link StuckCreating} on pods as a real kubelet reports them: two pods mounting a Secret that does not exist
 * ({@code FailedMount ... secret "model-store-typo" not found}), recorded from kubelet v1.34.4 on {@code make cluster}
 * (Debian's containerd, runc), reduced to their volumes, containers and status. Without init containers the container
 * waits as {@code ContainerCreating}; with one, every container waits as {@code PodInitializing} and
 * {@code Initialized} is False.
 */
class StuckCreatingOnKubeletStatusTest {

    static Pod recorded(String name) throws IOException {
        try (InputStream in = StuckCreatingOnKubeletStatusTest.class.getResourceAsStream("/kubelet/" + name)) {
            return Serialization.unmarshal(in, Pod.class);
        }
    }

    static Instant scheduled(Pod p) {
        return p.getStatus().getConditions().stream()
                .filter(c -> "PodScheduled".equals(c.getType()))
                .map(c -> Instant.parse(c.getLastTransitionTime()))
                .findFirst()
                .orElseThrow();
    }

    @Test
    void aMissingSecretIsNamedFiveMinutesAfterScheduling() throws IOException {
        Pod p = recorded("pod-missing-secret.json");
        Instant at = scheduled(p);
        assertThat(StuckCreating.of(p, at.plus(Duration.ofMinutes(4)))).isEmpty();
        var found = StuckCreating.of(p, at.plus(Duration.ofMinutes(5))).orElseThrow();
        assertThat(found.reason()).isEqualTo("ContainerCreating");
        assertThat(found.message())
                .startsWith("pod missing-secret2, container c: ContainerCreating, still ContainerCreating since the pod"
                        + " was scheduled at " + at)
                .contains("it mounts secret/model-store-typo;");
    }

    @Test
    void withAnInitContainerTheKubeletsPodInitializingCountsToo() throws IOException {
        Pod p = recorded("pod-missing-secret-with-init-container.json");
        Instant at = scheduled(p);
        assertThat(StuckCreating.of(p, at.plus(Duration.ofMinutes(4)))).isEmpty();
        assertThat(StuckCreating.of(p, at.plus(Duration.ofMinutes(6)))
                        .orElseThrow()
                        .message())
                .startsWith("pod missing-secret-init2, container i: ContainerCreating, still PodInitializing since the"
                        + " pod was scheduled")
                .contains("it mounts secret/model-store-typo;");
    }
}
