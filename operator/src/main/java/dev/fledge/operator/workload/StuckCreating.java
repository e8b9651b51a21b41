package dev.fledge.operator.workload;

import io.fabric8.kubernetes.api.model.ContainerStatus;
import io.fabric8.kubernetes.api.model.Pod;
import io.fabric8.kubernetes.api.model.Volume;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.List;
import java.util.Optional;
import java.util.Set;

/**
 * A pod whose containers are still not created {@link #TOO_LONG} after they could be: after the pod was scheduled,
 * or, with init containers, after those finished. The kubelet says only {@code ContainerCreating} (or
 * {@code PodInitializing} in a pod with init containers) while it retries a mount that fails, such as a Secret that
 * does not exist ({@code spec.model.s3.secretName} misspelt), and the failure itself is in the pod's Events, which
 * the operator does not read; so the message names the Secrets and ConfigMaps the pod mounts. An image still being
 * pulled looks the same: a very large one can reach this too. Pure.
 */
final class StuckCreating {
    /** The condition's reason. */
    static final String REASON = "ContainerCreating";

    static final Duration TOO_LONG = Duration.ofMinutes(5);

    /** Secret and ConfigMap volumes named in the message, at most, each cut to {@link #NAME_CHARS}. */
    static final int VOLUMES_NAMED = 4;

    static final int NAME_CHARS = 63;

    /** The kubelet's waiting reasons of a container it has not created yet. */
    private static final Set<String> NOT_CREATED = Set.of("ContainerCreating", "PodInitializing");

    private StuckCreating() {}

    /** The trouble of {@code p} at {@code now}, or empty. */
    static Optional<PodTrouble.Found> of(Pod p, Instant now) {
        if (now == null || p.getStatus() == null) {
            return Optional.empty();
        }
        List<ContainerStatus> init = orEmpty(p.getStatus().getInitContainerStatuses());
        List<ContainerStatus> app = orEmpty(p.getStatus().getContainerStatuses());
        Instant initialized = since(p, "Initialized");
        Instant from;
        String after;
        Optional<ContainerStatus> stuck;
        if (!init.isEmpty() && initialized == null) {
            // an init container that runs or has run is past the pod's mounts: its own trouble, if any, is another
            if (!init.stream().allMatch(StuckCreating::notCreated)) {
                return Optional.empty();
            }
            from = since(p, "PodScheduled");
            after = "the pod was scheduled";
            stuck = init.stream().findFirst();
        } else {
            from = init.isEmpty() ? since(p, "PodScheduled") : initialized;
            after = init.isEmpty() ? "the pod was scheduled" : "its init containers finished";
            stuck = app.stream().filter(StuckCreating::notCreated).findFirst();
        }
        if (from == null || stuck.isEmpty() || from.plus(TOO_LONG).isAfter(now)) {
            return Optional.empty();
        }
        ContainerStatus c = stuck.get();
        return Optional.of(PodTrouble.found(
                p,
                c,
                REASON,
                "still " + c.getState().getWaiting().getReason() + " since " + after + " at " + from
                        + ": a volume that cannot be attached or mounted (a Secret or ConfigMap that does not exist,"
                        + " a CSI volume that fails), an image still being pulled, or a node that is not ready; it"
                        + " mounts " + mounts(p) + "; kubectl describe pod "
                        + p.getMetadata().getName()
                        + " shows its events"));
    }

    /** Waiting to be created and never run: no restart, no earlier run. */
    private static boolean notCreated(ContainerStatus c) {
        var waiting = c.getState() == null ? null : c.getState().getWaiting();
        return waiting != null
                && NOT_CREATED.contains(waiting.getReason())
                && (c.getRestartCount() == null || c.getRestartCount() == 0)
                && (c.getLastState() == null || c.getLastState().getTerminated() == null);
    }

    /** When the pod's condition {@code type} became True, or null. */
    private static Instant since(Pod p, String type) {
        if (p.getStatus().getConditions() == null) {
            return null;
        }
        return p.getStatus().getConditions().stream()
                .filter(c ->
                        type.equals(c.getType()) && "True".equals(c.getStatus()) && c.getLastTransitionTime() != null)
                .findFirst()
                .map(c -> {
                    try {
                        return Instant.parse(c.getLastTransitionTime());
                    } catch (RuntimeException e) {
                        return null;
                    }
                })
                .orElse(null);
    }

    /**
     * The pod's Secret and ConfigMap volumes that must exist, as {@code secret/NAME}: the operator's first (the model
     * store's Secret, named by the release, before any other), at most {@link #VOLUMES_NAMED}.
     */
    private static String mounts(Pod p) {
        List<Volume> volumes = new ArrayList<>(
                p.getSpec() == null || p.getSpec().getVolumes() == null
                        ? List.of()
                        : p.getSpec().getVolumes());
        volumes.sort(Comparator.comparingInt(StuckCreating::rank));
        List<String> named = new ArrayList<>();
        for (Volume v : volumes) {
            if (v.getSecret() != null && !Boolean.TRUE.equals(v.getSecret().getOptional())) {
                named.add("secret/" + cut(v.getSecret().getSecretName()));
            } else if (v.getConfigMap() != null
                    && !Boolean.TRUE.equals(v.getConfigMap().getOptional())) {
                named.add("configmap/" + cut(v.getConfigMap().getName()));
            }
        }
        if (named.isEmpty()) {
            return "no Secret or ConfigMap";
        }
        return String.join(", ", named.subList(0, Math.min(VOLUMES_NAMED, named.size())))
                + (named.size() > VOLUMES_NAMED ? " and " + (named.size() - VOLUMES_NAMED) + " more" : "");
    }

    private static int rank(Volume v) {
        return ModelStoreS3.VOLUME.equals(v.getName())
                ? 0
                : v.getName() != null && v.getName().startsWith("fledge-") ? 1 : 2;
    }

    private static String cut(String name) {
        String s = PodTrouble.clean(name, "?");
        return s.length() <= NAME_CHARS ? s : s.substring(0, NAME_CHARS) + "…";
    }

    private static <T> List<T> orEmpty(List<T> l) {
        return l == null ? List.of() : l;
    }
}
