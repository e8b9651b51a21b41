package dev.fledge.operator.workload;

import java.util.List;
import java.util.Optional;

/**
 * Where a release may mount a volume in the model container: not over the image's code. The image (e2e/cluster/
 * images.sh) holds the JRE under {@code /usr/lib/jvm}, the server under {@code /deployments}, and DJL unpacks its
 * native engine into {@code /tmp/djl-cache}; a ConfigMap mounted over any of them (or over a parent of them, or
 * a single file there by subPath) would run the tenant's code whatever image prefix the operator allows. Allowed:
 * any other path, such as {@code /data}, {@code /models}, {@code /cache} or a directory below {@code /tmp} other than
 * {@code /tmp/djl-cache};
 * {@code /tmp} itself only from an emptyDir (it holds the DJL cache). Pure.
 */
public final class MountPaths {
    /** Subtrees of the image's code: no mount at, below or above them. */
    public static final List<String> PROTECTED =
            List.of("/deployments", "/usr", "/lib", "/lib64", "/bin", "/sbin", "/etc", "/opt/java", "/tmp/djl-cache");
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
                return Optional.of("the image's code and runtime live at " + PROTECTED
                        + "; mount volumes elsewhere (/data, /models, a directory below /tmp other than /tmp/djl-cache; /tmp itself only"
                        + " from an emptyDir)");
            }
        }
        return Optional.empty();
    }
}
