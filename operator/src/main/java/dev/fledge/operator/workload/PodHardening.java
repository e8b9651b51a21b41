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
