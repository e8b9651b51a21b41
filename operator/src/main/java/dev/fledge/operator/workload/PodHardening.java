package dev.fledge.operator.workload;

import io.fabric8.kubernetes.api.model.PodSecurityContext;
import io.fabric8.kubernetes.api.model.PodSecurityContextBuilder;
import io.fabric8.kubernetes.api.model.SecurityContext;
import io.fabric8.kubernetes.api.model.SecurityContextBuilder;
import java.nio.file.Path;
import java.util.List;
import java.util.Optional;

/**
 * The security settings of every model pod, which a release cannot change: the Pod Security Standard "restricted"
 * profile (non-root, no privilege escalation, all capabilities dropped, seccomp RuntimeDefault) and a read-only root
 * filesystem (the model server writes only below {@code /tmp}, an emptyDir: {@link DesiredDeployment}).
 *
 * @param runAsUser numeric user (and group) the model server runs as, so that runAsNonRoot holds for any image;
 *                  empty to keep the image's own (non-root) user
 * @param allowedHostPathPrefixes node directories a hostPath volume may name (a single-node test cluster's model
 *                  directory, say); empty, the default, drops every hostPath
 */
public record PodHardening(Optional<Long> runAsUser, List<String> allowedHostPathPrefixes) {
    public static final long DEFAULT_USER = 10001L;

    /**
     * Node trees no allowed prefix may be, hold or lie in: the node's configuration and devices, the state of the
     * kubelet, etcd and the container runtimes under their common defaults (every pod's Secrets and volumes), the
     * directories others write ({@code /var/tmp}, {@code /home}), and those where the common hostPath provisioners
     * (k3s and Rancher local-path, kind, minikube, OpenEBS) keep claims that pods write. Only the common defaults: a
     * cluster that keeps them elsewhere must not allow those directories either.
     */
    public static final List<String> NODE_TREES = List.of(
            "/etc",
            "/proc",
            "/sys",
            "/dev",
            "/boot",
            "/root",
            "/run",
            "/var/run",
            "/var/lib/kubelet",
            "/var/lib/containerd",
            "/var/lib/docker",
            "/var/lib/containers",
            "/var/lib/etcd",
            "/var/lib/kubernetes",
            "/var/lib/k0s",
            "/var/lib/rancher",
            "/var/snap",
            "/var/log",
            "/var/tmp",
            "/home",
            "/opt/local-path-provisioner",
            "/var/local-path-provisioner",
            "/var/openebs",
            "/tmp/hostpath-provisioner");

    /** Entries stripped, empty ones dropped; refuses, at startup, a prefix that is not a directory of its own (below). */
    public PodHardening {
        allowedHostPathPrefixes = allowedHostPathPrefixes.stream()
                .map(String::strip)
                .filter(e -> !e.isEmpty())
                .toList();
        for (String prefix : allowedHostPathPrefixes) {
            refusal(prefix).ifPresent(why -> {
                throw new IllegalArgumentException("fledge.server.allowed-host-path-prefixes: " + why);
            });
        }
    }

    /**
     * Why {@code prefix} may not be an allowed hostPath prefix: not an absolute path, the node's root, or one of
     * {@link #NODE_TREES}, above one or below one. Empty when it may.
     */
    public static Optional<String> refusal(String prefix) {
        if (prefix == null || !prefix.startsWith("/")) {
            return Optional.of(prefix + " is not an absolute path");
        }
        Path p = Path.of(prefix).normalize();
        if (p.getNameCount() == 0) {
            return Optional.of(prefix + " is the node's root: every node directory, the kubelet's included");
        }
        return NODE_TREES.stream()
                .map(Path::of)
                .filter(tree -> p.startsWith(tree) || tree.startsWith(p))
                .findFirst()
                .map(tree -> prefix + (p.startsWith(tree) ? " lies in " : " holds ") + tree
                        + ", where a hostPath would reach the node's or other pods' files; use a directory of its own"
                        + " for models, owned by root");
    }

    public static PodHardening standard() {
        return new PodHardening(Optional.of(DEFAULT_USER), List.of());
    }

    /** Whether {@code path}, normalised, is one of the prefixes or below one. */
    public static boolean hostPathAllowed(List<String> prefixes, String path) {
        if (path == null || path.isBlank() || !path.startsWith("/")) {
            return false;
        }
        Path p = Path.of(path).normalize();
        return prefixes.stream().map(s -> Path.of(s).normalize()).anyMatch(p::startsWith);
    }

    public boolean hostPathAllowed(String path) {
        return hostPathAllowed(allowedHostPathPrefixes, path);
    }

    public PodSecurityContext pod() {
        PodSecurityContextBuilder b = new PodSecurityContextBuilder()
                .withRunAsNonRoot(true)
                .withNewSeccompProfile()
                .withType("RuntimeDefault")
                .endSeccompProfile();
        runAsUser.ifPresent(u -> b.withRunAsUser(u).withRunAsGroup(u).withFsGroup(u));
        return b.build();
    }

    public SecurityContext container() {
        return new SecurityContextBuilder()
                .withRunAsNonRoot(true)
                .withAllowPrivilegeEscalation(false)
                .withPrivileged(false)
                .withReadOnlyRootFilesystem(true)
                .withNewCapabilities()
                .addToDrop("ALL")
                .endCapabilities()
                .withNewSeccompProfile()
                .withType("RuntimeDefault")
                .endSeccompProfile()
                .build();
    }
}
