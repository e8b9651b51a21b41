package dev.fledge.api.spec;

/**
 * Every mount of a {@code hostPath} volume is read-only: the one source of the CRD's CEL rule on
 * {@code spec.server.template.spec} and of the operator's checks (a release stored before the rule, a kept stable
 * template). The allowed prefixes ({@code fledge.server.allowed-host-path-prefixes}) compare the path's text, and the
 * kubelet follows symlinks on the node when it mounts a hostPath: a pod that can write in an allowed directory can
 * leave {@code /models/x -> /} there, and a later release with {@code hostPath: /models/x} mounts the node's root.
 * A read-only mount leaves nothing behind (the Kubernetes PodSecurityPolicy documentation gave the same advice for
 * {@code allowedHostPaths}).
 */
public final class HostPathMounts {
    private HostPathMounts() {}

    /** CEL on a pod spec of the template: no mount of a hostPath volume without {@code readOnly: true}. */
    public static final String RULE = "!has(self.containers) || !has(self.volumes) || self.containers.all(c,"
            + " !has(c.volumeMounts) || c.volumeMounts.all(m, (has(m.readOnly) && m.readOnly)"
            + " || !self.volumes.exists(v, v.name == m.name && has(v.hostPath))))";

    /** Why. */
    public static final String MESSAGE = "a hostPath volume may only be mounted with readOnly: true: in a writable"
            + " node directory a pod can leave a symlink that a later hostPath volume under the same allowed prefix"
            + " follows to anywhere on the node";
}
