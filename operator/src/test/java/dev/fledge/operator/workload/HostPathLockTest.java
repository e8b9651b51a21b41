package dev.fledge.operator.workload;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.fabric8.kubernetes.api.model.apps.Deployment;
import io.fabric8.kubernetes.api.model.apps.DeploymentBuilder;
import java.util.List;
import java.util.Optional;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

class HostPathLockTest {
    @Test
    void findsEveryWritableMountOfAHostPathInAnyContainerAndNoOther() {
        Deployment d = new DeploymentBuilder()
                .withNewSpec()
                .withNewTemplate()
                .withNewSpec()
                .addNewInitContainer()
                .withName("fetch")
                .addNewVolumeMount()
                .withName("node")
                .withMountPath("/node")
                .withReadOnly(false)
                .endVolumeMount()
                .endInitContainer()
                .addNewContainer()
                .withName("model-server")
                .addNewVolumeMount()
                .withName("scratch")
                .withMountPath("/tmp")
                .endVolumeMount()
                .addNewVolumeMount()
                .withName("node")
                .withMountPath("/models")
                .withReadOnly(true)
                .endVolumeMount()
                .endContainer()
                .addNewContainer()
                .withName("sidecar")
                .addNewVolumeMount()
                .withName("node")
                .withMountPath("/models")
                .endVolumeMount()
                .endContainer()
                .addNewVolume()
                .withName("node")
                .withNewHostPath()
                .withPath("/srv/models")
                .endHostPath()
                .endVolume()
                .addNewVolume()
                .withName("scratch")
                .withNewEmptyDir()
                .endEmptyDir()
                .endVolume()
                .endSpec()
                .endTemplate()
                .endSpec()
                .build();

        List<HostPathLock.Writable> writable = HostPathLock.writable(d);

        assertThat(writable)
                .containsExactly(
                        new HostPathLock.Writable("containers", 1, "sidecar", 0, "node"),
                        new HostPathLock.Writable("initContainers", 0, "fetch", 0, "node"));
        assertThat(HostPathLock.operations(writable))
                .extracting(op -> op.get("op") + " " + op.get("path") + " " + op.get("value"))
                .containsExactly(
                        "test /spec/template/spec/containers/1/volumeMounts/0/name node",
                        "add /spec/template/spec/containers/1/volumeMounts/0/readOnly true",
                        "test /spec/template/spec/initContainers/0/volumeMounts/0/name node",
                        "add /spec/template/spec/initContainers/0/volumeMounts/0/readOnly true");
        assertThat(HostPathLock.writable(null)).isEmpty();
        assertThat(HostPathLock.writable(new Deployment())).isEmpty();
    }

    @ParameterizedTest
    @ValueSource(
            strings = {
                "/",
                "//",
                "/var",
                "/var/lib",
                "/var/lib/kubelet/pods",
                "/etc/kubernetes",
                "/tmp",
                "models",
                "/opt/local-path-provisioner/pvc-1",
                "/var/lib/rancher/k3s/storage",
                "/srv/../etc"
            })
    void aPrefixThatReachesTheNodesOrOtherPodsFilesIsRefusedAtStartup(String prefix) {
        assertThat(PodHardening.refusal(prefix)).isPresent();
        assertThatThrownBy(() -> new PodHardening(Optional.empty(), List.of("/srv/models", prefix)))
                .isInstanceOf(IllegalArgumentException.class)
                .hasMessageContaining("fledge.server.allowed-host-path-prefixes: " + prefix);
    }

    @ParameterizedTest
    @ValueSource(strings = {"/srv/models", "/var/lib/fledge/models", "/data", "/mnt/weights", "/opt/models"})
    void aDirectoryOfItsOwnIsAllowed(String prefix) {
        assertThat(PodHardening.refusal(prefix)).isEmpty();
        assertThat(new PodHardening(Optional.empty(), List.of(" " + prefix + " ", "")).allowedHostPathPrefixes())
                .containsExactly(prefix);
    }
}
