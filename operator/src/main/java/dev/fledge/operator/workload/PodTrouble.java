package dev.fledge.operator.workload;

import io.fabric8.kubernetes.api.model.ContainerStateTerminated;
import io.fabric8.kubernetes.api.model.ContainerStatus;
import io.fabric8.kubernetes.api.model.Pod;
import io.fabric8.kubernetes.api.model.apps.Deployment;
import java.time.Instant;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.List;
import java.util.Optional;
import java.util.Set;

/**
 * Why a track's pods do not become ready, read from its Deployment and its pods as the kubelet and the controllers
 * report them: pods that cannot be created (a quota, an admission refusal), a container that keeps failing (with the
 * message it left in its termination log, such as the model server's "sha256 mismatch"), an image that cannot be
 * pulled, a pod that no node can take (not enough GPUs), or a pod whose containers are still not created long after
 * they could be ({@link StuckCreating}). A pod that is only slow (pulling, loading a large model) is no trouble until
 * then. Pure: the caller reads the objects and the time.
 */
public final class PodTrouble {
    /** Longest detail kept from a pod (a termination message is tenant text of up to 4 KiB). */
    static final int MAX_DETAIL = 400;

    /** The label the Deployment controller gives the pods of one pod template. */
    static final String TEMPLATE_HASH = "pod-template-hash";

    /** Waiting reasons of a container that will not start without a change. */
    private static final Set<String> FAILING = Set.of(
            "CrashLoopBackOff",
            "ImagePullBackOff",
            "ErrImagePull",
            "InvalidImageName",
            "CreateContainerConfigError",
            "CreateContainerError",
            "RunContainerError");

    /** Every reason {@link #of} can give: the kubelet's waiting reasons above and four of its own. */
    public static final Set<String> REASONS;

    static {
        Set<String> all = new java.util.TreeSet<>(FAILING);
        all.remove("ErrImagePull"); // reported as ImagePullBackOff: the kubelet alternates the two on every retry
        all.addAll(List.of("ContainerFailed", "FailedCreate", "Unschedulable", StuckCreating.REASON));
        REASONS = java.util.Collections.unmodifiableSet(all);
    }

    /** What is wrong: a reason in CamelCase (the condition's reason) and a message that names the pod and container. */
    public record Found(String reason, String message) {}

    private PodTrouble() {}

    /**
     * The first trouble of {@code deployment} and those of {@code pods} it controls (through its ReplicaSets), ordered
     * by name, at {@code now}, or empty when none is seen. Pods being deleted, and pods of an older pod template than
     * the newest pod's, are left out: after a fix under the same version, the replaced pods' failures are not the
     * canary's.
     */
    public static Optional<Found> of(Deployment deployment, List<Pod> pods, Instant now) {
        Optional<Found> created = replicaFailure(deployment);
        if (created.isPresent()) {
            return created;
        }
        List<Pod> current = current(deployment, pods);
        for (Pod p : current) {
            Optional<Found> c = failingContainer(p);
            if (c.isPresent()) {
                return c;
            }
        }
        Optional<Found> unschedulable = current.stream()
                .map(PodTrouble::unschedulable)
                .flatMap(Optional::stream)
                .findFirst();
        if (unschedulable.isPresent()) {
            return unschedulable;
        }
        return current.stream()
                .map(p -> StuckCreating.of(p, now))
                .flatMap(Optional::stream)
                .findFirst();
    }

    /** The pods a ReplicaSet of {@code d} controls, not being deleted, of the newest pod template, by name. */
    private static List<Pod> current(Deployment d, List<Pod> pods) {
        String prefix =
                d == null || d.getMetadata() == null ? null : d.getMetadata().getName() + "-";
        List<Pod> live = pods.stream()
                .filter(p -> p.getMetadata() != null && p.getMetadata().getDeletionTimestamp() == null)
                .filter(p -> prefix == null || controlledBy(p, prefix))
                .toList();
        Optional<String> newest = live.stream()
                .filter(p -> p.getMetadata().getCreationTimestamp() != null)
                .max(Comparator.comparing(p -> Instant.parse(p.getMetadata().getCreationTimestamp())))
                .map(PodTrouble::templateHash);
        List<Pod> out = new ArrayList<>(live.stream()
                .filter(p -> newest.isEmpty() || newest.get().equals(templateHash(p)))
                .toList());
        out.sort(Comparator.comparing(p -> p.getMetadata().getName()));
        return out;
    }

    private static boolean controlledBy(Pod p, String replicaSetPrefix) {
        return p.getMetadata().getOwnerReferences() != null
                && p.getMetadata().getOwnerReferences().stream()
                        .anyMatch(o -> Boolean.TRUE.equals(o.getController())
                                && "ReplicaSet".equals(o.getKind())
                                && o.getName() != null
                                && o.getName().startsWith(replicaSetPrefix));
    }

    private static String templateHash(Pod p) {
        return p.getMetadata().getLabels() == null
                ? ""
                : p.getMetadata().getLabels().getOrDefault(TEMPLATE_HASH, "");
    }

    private static Optional<Found> replicaFailure(Deployment d) {
        if (d == null || d.getStatus() == null || d.getStatus().getConditions() == null) {
            return Optional.empty();
        }
        return d.getStatus().getConditions().stream()
                .filter(c -> "ReplicaFailure".equals(c.getType()) && "True".equals(c.getStatus()))
                .findFirst()
                .map(c -> new Found(
                        "FailedCreate", "its pods cannot be created: " + clean(c.getMessage(), c.getReason())));
    }

    /**
     * A container that will not start (a waiting reason of {@link #FAILING}), or one that has exited with an error:
     * between back-offs a crashing container runs again for a while (a large archive is fetched and hashed again)
     * and is still the same trouble, so a non-zero exit in its last state counts while it is not ready.
     */
    private static Optional<Found> failingContainer(Pod p) {
        if (p.getStatus() == null) {
            return Optional.empty();
        }
        List<ContainerStatus> all = new ArrayList<>();
        if (p.getStatus().getInitContainerStatuses() != null) {
            all.addAll(p.getStatus().getInitContainerStatuses());
        }
        if (p.getStatus().getContainerStatuses() != null) {
            all.addAll(p.getStatus().getContainerStatuses());
        }
        for (ContainerStatus c : all) {
            if (Boolean.TRUE.equals(c.getReady())) {
                continue;
            }
            var waiting = c.getState() == null ? null : c.getState().getWaiting();
            var now = c.getState() == null ? null : c.getState().getTerminated();
            var last = c.getLastState() == null ? null : c.getLastState().getTerminated();
            var exited = failed(now) ? now : failed(last) ? last : null;
            int restarts = c.getRestartCount() == null ? 0 : c.getRestartCount();
            if (waiting != null
                    && waiting.getReason() != null
                    && FAILING.contains(waiting.getReason())
                    && !"CrashLoopBackOff".equals(waiting.getReason())) {
                String reason = "ErrImagePull".equals(waiting.getReason()) ? "ImagePullBackOff" : waiting.getReason();
                return Optional.of(found(p, c, reason, clean(waiting.getMessage(), "no message")));
            }
            if (exited != null) {
                String detail = "exit code " + exited.getExitCode() + ": "
                        + clean(exited.getMessage(), nonNull(exited.getReason()));
                return Optional.of(
                        found(p, c, restarts > 0 || waiting != null ? "CrashLoopBackOff" : "ContainerFailed", detail));
            }
            if (waiting != null && "CrashLoopBackOff".equals(waiting.getReason())) {
                return Optional.of(found(p, c, "CrashLoopBackOff", clean(waiting.getMessage(), "no message")));
            }
        }
        return Optional.empty();
    }

    private static boolean failed(ContainerStateTerminated t) {
        return t != null && t.getExitCode() != null && t.getExitCode() != 0;
    }

    private static Optional<Found> unschedulable(Pod p) {
        if (p.getStatus() == null || p.getStatus().getConditions() == null) {
            return Optional.empty();
        }
        return p.getStatus().getConditions().stream()
                .filter(c -> "PodScheduled".equals(c.getType())
                        && "False".equals(c.getStatus())
                        && "Unschedulable".equals(c.getReason()))
                .findFirst()
                .map(c -> new Found(
                        "Unschedulable",
                        "pod " + p.getMetadata().getName() + " cannot be scheduled: "
                                + clean(c.getMessage(), "no node fits")));
    }

    static Found found(Pod p, ContainerStatus c, String reason, String detail) {
        return new Found(
                reason,
                "pod " + p.getMetadata().getName() + ", container " + c.getName() + ": " + reason + ", " + detail);
    }

    /**
     * One line at most {@link #MAX_DETAIL} code points long, {@code orElse} when blank: control, format (bidi
     * overrides, zero-width) and line or paragraph separator characters become spaces, so tenant text cannot break
     * the lines of a terminal or reorder what an SRE reads.
     */
    static String clean(String text, String orElse) {
        String s = text == null || text.isBlank() ? orElse : text;
        s = s.replaceAll("[\\p{Cc}\\p{Cf}\\p{Zl}\\p{Zp}]+", " ")
                .replaceAll("\\s+", " ")
                .strip();
        return s.codePointCount(0, s.length()) > MAX_DETAIL
                ? s.substring(0, s.offsetByCodePoints(0, MAX_DETAIL)) + "…"
                : s;
    }

    private static String nonNull(String s) {
        return s == null ? "" : s;
    }
}
