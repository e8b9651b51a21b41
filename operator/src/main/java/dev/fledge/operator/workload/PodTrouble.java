package dev.fledge.operator.workload;

import io.fabric8.kubernetes.api.model.ContainerStatus;
import io.fabric8.kubernetes.api.model.Pod;
import io.fabric8.kubernetes.api.model.apps.Deployment;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.List;
import java.util.Optional;
import java.util.Set;

/**
 * Why a track's pods do not become ready, read from its Deployment and its pods as the kubelet and the controllers
 * report them: pods that cannot be created (a quota, an admission refusal), a container that keeps failing (with the
 * message it left in its termination log, such as the model server's "sha256 mismatch"), an image that cannot be
 * pulled, or a pod that no node can take (not enough GPUs). A pod that is only slow (pulling, loading a large model)
 * is no trouble. Pure: the caller reads the objects.
 */
public final class PodTrouble {
    /** Longest detail kept from a pod (a termination message is tenant text of up to 4 KiB). */
    static final int MAX_DETAIL = 400;

    /** Waiting reasons of a container that will not start without a change. */
    private static final Set<String> FAILING = Set.of(
            "CrashLoopBackOff",
            "ImagePullBackOff",
            "ErrImagePull",
            "InvalidImageName",
            "CreateContainerConfigError",
            "CreateContainerError",
            "RunContainerError");

    /** Every reason {@link #of} can give: the kubelet's waiting reasons above and three of its own. */
    public static final Set<String> REASONS;

    static {
        Set<String> all = new java.util.TreeSet<>(FAILING);
        all.addAll(List.of("ContainerFailed", "FailedCreate", "Unschedulable"));
        REASONS = java.util.Collections.unmodifiableSet(all);
    }

    /** What is wrong: a reason in CamelCase (the condition's reason) and a message that names the pod and container. */
    public record Found(String reason, String message) {}

    private PodTrouble() {}

    /** The first trouble of {@code deployment} and {@code pods} (ordered by name), or empty when none is seen. */
    public static Optional<Found> of(Deployment deployment, List<Pod> pods) {
        Optional<Found> created = replicaFailure(deployment);
        if (created.isPresent()) {
            return created;
        }
        List<Pod> sorted = new ArrayList<>(pods);
        sorted.sort(Comparator.comparing(p -> p.getMetadata().getName()));
        for (Pod p : sorted) {
            Optional<Found> c = failingContainer(p);
            if (c.isPresent()) {
                return c;
            }
        }
        return sorted.stream()
                .map(PodTrouble::unschedulable)
                .flatMap(Optional::stream)
                .findFirst();
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
            var waiting = c.getState() == null ? null : c.getState().getWaiting();
            if (waiting != null && waiting.getReason() != null && FAILING.contains(waiting.getReason())) {
                var last = c.getLastState() == null ? null : c.getLastState().getTerminated();
                String detail = last != null
                                && last.getMessage() != null
                                && !last.getMessage().isBlank()
                        ? "exit code " + last.getExitCode() + ": " + clean(last.getMessage(), "")
                        : last != null
                                ? "exit code " + last.getExitCode() + clean(" " + nonNull(last.getReason()), "")
                                : clean(waiting.getMessage(), "no message");
                return Optional.of(found(p, c, waiting.getReason(), detail));
            }
            var terminated = c.getState() == null ? null : c.getState().getTerminated();
            if (terminated != null && terminated.getExitCode() != null && terminated.getExitCode() != 0) {
                return Optional.of(found(
                        p,
                        c,
                        "ContainerFailed",
                        "exit code " + terminated.getExitCode() + ": "
                                + clean(terminated.getMessage(), nonNull(terminated.getReason()))));
            }
        }
        return Optional.empty();
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

    private static Found found(Pod p, ContainerStatus c, String reason, String detail) {
        return new Found(
                reason,
                "pod " + p.getMetadata().getName() + ", container " + c.getName() + ": " + reason + ", " + detail);
    }

    /** One line, without control characters, at most {@link #MAX_DETAIL} characters; {@code orElse} when blank. */
    static String clean(String text, String orElse) {
        String s = text == null || text.isBlank() ? orElse : text;
        s = s.replaceAll("\\p{Cntrl}+", " ").replaceAll("\\s+", " ").strip();
        return s.length() > MAX_DETAIL ? s.substring(0, MAX_DETAIL) + "…" : s;
    }

    private static String nonNull(String s) {
        return s == null ? "" : s;
    }
}
