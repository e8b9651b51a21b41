package dev.fledge.operator.workload;

import io.fabric8.kubernetes.api.model.VolumeMount;
import java.util.List;
import java.util.Optional;
import java.util.Set;
import java.util.stream.Stream;

/**
 * Where a release may mount a volume in the model container: not over the image's code or the operator's mounts. The image (e2e/cluster/
 * images.sh) holds the JRE under {@code /usr/lib/jvm}, the server under {@code /deployments}, libtorch under {@code
 * /opt/fledge/libtorch} (DJL loads every library in it), and DJL unpacks its JNI library, or in other images its whole
 * native engine, into {@code /tmp/djl-cache}; a ConfigMap mounted over any of them (or over a parent of them, or
 * a single file there by subPath) would run the tenant's code whatever image prefix the operator allows. Allowed:
 * any other path, such as {@code /data}, {@code /models}, {@code /cache} or a directory below {@code /tmp} other than
 * {@code /tmp/djl-cache};
 * {@code /tmp} itself only from an emptyDir (it holds the DJL cache). The operator's own mounts are protected the same
 * way: it mounts the release's response-id key Secret at {@code /var/run/fledge/feedback-key}
 * ({@link DesiredDeployment#FEEDBACK_KEY_DIR}), and a tenant's volume there (or above it) would either fail the pod as
 * a duplicate mount or hand the server a key of the tenant's choosing. {@code /run/fledge} is the same directory in
 * images where {@code /var/run} links to {@code /run} (Debian, the model server's base). Pure.
 */
public final class MountPaths {
    /** Where the operator mounts its own volumes (the response-id key), in both spellings of {@code /var/run}. */
    public static final List<String> OPERATOR = List.of("/var/run/fledge", "/run/fledge");
    /** Subtrees of the image's code. */
    private static final List<String> CODE = List.of(
            "/deployments",
            "/usr",
            "/lib",
            "/lib64",
            "/bin",
            "/sbin",
            "/etc",
            "/opt/java",
            "/opt/fledge",
            "/tmp/djl-cache");
    /** Subtrees of the image's code and the operator's own mounts: no mount at, below or above them. */
    public static final List<String> PROTECTED =
            Stream.concat(CODE.stream(), OPERATOR.stream()).toList();
    /** The parent of the DJL cache, writable scratch space: an emptyDir may go there, nothing else. */
    public static final String SCRATCH = "/tmp";

    private MountPaths() {}

    /** Why {@code mountPath} may not be used for a volume (emptyDir or not); empty when it may. */
    public static Optional<String> refusal(String mountPath, boolean emptyDir) {
        if (mountPath == null || !mountPath.startsWith("/")) {
            return Optional.of("must be an absolute path");
        }
        for (String segment : mountPath.split("/")) {
            if (segment.equals(".") || segment.equals("..")) {
                return Optional.of("may not hold . or .. segments");
            }
        }
        String path = mountPath.replaceAll("/+", "/");
        if (path.length() > 1 && path.endsWith("/")) {
            path = path.substring(0, path.length() - 1);
        }
        if (path.equals(SCRATCH) && emptyDir) {
            return Optional.empty();
        }
        for (String p : PROTECTED) {
            if (path.equals(p) || path.startsWith(p + "/") || p.startsWith(path.equals("/") ? "/" : path + "/")) {
                if (OPERATOR.contains(p)) {
                    return Optional.of(
                            "the operator mounts the release's response-id key under " + OPERATOR
                                    + "; mount volumes elsewhere (/data, /models, a directory below /tmp other than /tmp/djl-cache)");
                }
                return Optional.of("the image's code and runtime live at " + CODE
                        + "; mount volumes elsewhere (/data, /models, a directory below /tmp other than /tmp/djl-cache; /tmp itself only"
                        + " from an emptyDir)");
            }
        }
        return Optional.empty();
    }

    /** A mount of one container: its path, and whether its volume is an emptyDir. */
    public record Mount(String path, boolean emptyDir) {}

    /** {@code mounts} as {@link Mount}s, in order; {@code emptyDirs} names the pod's emptyDir volumes. */
    static List<Mount> of(List<VolumeMount> mounts, Set<String> emptyDirs) {
        return mounts.stream()
                .map(m -> new Mount(m.getMountPath(), emptyDirs.contains(m.getName())))
                .toList();
    }

    /**
     * Whether {@code m} is an operator's mount of {@code volume} as the operator writes it: whole (no sub-path), read-only,
     * at {@code path}, no propagation. For {@link KeptTemplateCheck}: the model's claim and the S3 store's Secret.
     */
    static boolean wholeReadOnly(VolumeMount m, String volume, String path) {
        return volume.equals(m.getName())
                && path.equals(m.getMountPath())
                && Boolean.TRUE.equals(m.getReadOnly())
                && (m.getSubPath() == null || m.getSubPath().isEmpty())
                && (m.getSubPathExpr() == null || m.getSubPathExpr().isEmpty())
                && m.getMountPropagation() == null;
    }

    /**
     * Why {@code mounts.get(index)} may not go with the container's other {@code mounts}; empty when it may. A mount
     * at or below another volume's mount point is refused unless that volume is an emptyDir (which only the server
     * writes): a claim, ephemeral or host volume may hold a symlink at the
     * inner mount point, which the container runtime follows inside the container's root, so {@code /data/lt} with
     * {@code lt -> /opt/fledge/libtorch} would put the inner volume over the image's code whatever the checks on the
     * path's text (review of issue 16). Paths are compared as {@link #refusal} reads them.
     */
    public static Optional<String> nestedRefusal(int index, List<Mount> mounts) {
        for (int k = 0; k < mounts.size(); k++) {
            Optional<String> why = k == index
                    ? Optional.empty()
                    : nestedRefusal(
                            mounts.get(index).path(),
                            mounts.get(k).path(),
                            mounts.get(k).emptyDir());
            if (why.isPresent()) {
                return why;
            }
        }
        return Optional.empty();
    }

    private static Optional<String> nestedRefusal(String path, String outer, boolean outerEmptyDir) {
        if (path == null || outer == null || outerEmptyDir) {
            return Optional.empty();
        }
        String inner = normalized(path);
        String above = normalized(outer);
        if (inner.equals(above) || inner.startsWith(above.equals("/") ? "/" : above + "/")) {
            return Optional.of(
                    "it is at or below the mount " + outer + " of a volume that is not an emptyDir: a symlink"
                            + " in that volume would send this mount anywhere in the container; mount volumes side by side");
        }
        return Optional.empty();
    }

    /** {@code mountPath} with repeated slashes folded and no trailing slash. */
    private static String normalized(String mountPath) {
        String path = mountPath.replaceAll("/+", "/");
        return path.length() > 1 && path.endsWith("/") ? path.substring(0, path.length() - 1) : path;
    }
}
