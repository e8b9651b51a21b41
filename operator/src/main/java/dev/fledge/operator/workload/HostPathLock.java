package dev.fledge.operator.workload;

import dev.fledge.api.spec.HostPathMounts;
import io.fabric8.kubernetes.api.model.Container;
import io.fabric8.kubernetes.api.model.PodSpec;
import io.fabric8.kubernetes.api.model.Volume;
import io.fabric8.kubernetes.api.model.VolumeMount;
import io.fabric8.kubernetes.api.model.apps.Deployment;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.Set;
import java.util.stream.Collectors;

/**
 * The mounts of a live Deployment's pod template that put a {@code hostPath} volume in a container writable
 * ({@link HostPathMounts}), and the JSON patch that makes them read-only. The operator builds no such mount
 * ({@link DesiredDeployment}), but a Deployment an older operator built keeps its pod template wherever this one only
 * scales it: a stable whose recorded configuration the policy refuses, a stable or canary of an {@code Invalid}
 * release (the rule itself makes a release that mounts one writable invalid), a canary built otherwise while users are
 * on it. Patching the template rolls the Deployment's pods, on purpose: a pod that can write in an allowed node
 * directory can leave a symlink there for a later release's hostPath.
 */
public final class HostPathLock {
    private HostPathLock() {}

    /** A writable mount: where it is in the pod template, and the names to say so. */
    public record Writable(String list, int container, String containerName, int mount, String volume) {
        String path() {
            return "/spec/template/spec/" + list + "/" + container + "/volumeMounts/" + mount;
        }
    }

    /** The writable mounts of a hostPath volume in {@code d}'s containers and init containers; empty when none. */
    public static List<Writable> writable(Deployment d) {
        if (d == null
                || d.getSpec() == null
                || d.getSpec().getTemplate() == null
                || d.getSpec().getTemplate().getSpec() == null) {
            return List.of();
        }
        PodSpec pod = d.getSpec().getTemplate().getSpec();
        Set<String> hostPaths = hostPathVolumes(pod.getVolumes());
        if (hostPaths.isEmpty()) {
            return List.of();
        }
        List<Writable> found = new ArrayList<>();
        collect("containers", pod.getContainers(), hostPaths, found);
        collect("initContainers", pod.getInitContainers(), hostPaths, found);
        return found;
    }

    private static void collect(String list, List<Container> containers, Set<String> hostPaths, List<Writable> found) {
        List<Container> all = Objects.requireNonNullElse(containers, List.of());
        for (int c = 0; c < all.size(); c++) {
            List<VolumeMount> mounts = Objects.requireNonNullElse(all.get(c).getVolumeMounts(), List.of());
            for (int m = 0; m < mounts.size(); m++) {
                VolumeMount mount = mounts.get(m);
                if (writable(mount, hostPaths)) {
                    found.add(new Writable(list, c, all.get(c).getName(), m, mount.getName()));
                }
            }
        }
    }

    /** The names of the hostPath volumes among {@code volumes} (null: none). */
    public static Set<String> hostPathVolumes(List<Volume> volumes) {
        return Objects.requireNonNullElse(volumes, List.<Volume>of()).stream()
                .filter(v -> v.getHostPath() != null)
                .map(Volume::getName)
                .collect(Collectors.toSet());
    }

    /** Whether {@code mount} puts one of {@code hostPathVolumes} in its container without {@code readOnly: true}. */
    public static boolean writable(VolumeMount mount, Set<String> hostPathVolumes) {
        return hostPathVolumes.contains(mount.getName()) && !Boolean.TRUE.equals(mount.getReadOnly());
    }

    /**
     * JSON patch operations that set {@code readOnly: true} on each of {@code mounts}, each after a test of the mount's
     * name at its index (a template changed meanwhile fails the patch rather than lose a read-only mark elsewhere).
     */
    public static List<Map<String, Object>> operations(List<Writable> mounts) {
        List<Map<String, Object>> ops = new ArrayList<>();
        for (Writable w : mounts) {
            ops.add(Map.of("op", "test", "path", w.path() + "/name", "value", w.volume()));
            ops.add(Map.of("op", "add", "path", w.path() + "/readOnly", "value", true));
        }
        return ops;
    }
}
