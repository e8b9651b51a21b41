package dev.fledge.operator.workload;

import dev.fledge.api.Labels;
import dev.fledge.core.rollout.ServingIdentity;
import io.fabric8.kubernetes.api.model.apps.Deployment;

/**
 * A Deployment is ready for a serving identity when its pod template runs that version and configuration (the
 * {@link DesiredDeployment#CONFIG_HASH} annotation), the Deployment controller has seen that template
 * ({@code observedGeneration}), and the rollout to it is complete: every replica is updated and ready, and no pod of
 * an older template is left ({@code status.replicas} no more than {@code updatedReplicas}). Ready pods of a
 * superseded template never count for the new one.
 */
public final class Readiness {
    /**
     * Whether {@code d} has a ready pod, whatever it runs: a Service on it answers someone. A capacity hold that passed
     * its deadline sends everyone to stable only then ({@code CapacityHold.Verdict#STABLE_EMPTY}).
     */
    public static boolean hasReadyPod(Deployment d) {
        return d != null
                && d.getStatus() != null
                && d.getStatus().getReadyReplicas() != null
                && d.getStatus().getReadyReplicas() > 0;
    }

    private Readiness() {}

    /** The replicas {@code d} asks for (1 when it says none, as the API server defaults it); 0 without {@code d}. */
    public static int replicas(Deployment d) {
        if (d == null || d.getSpec() == null) {
            return 0;
        }
        return d.getSpec().getReplicas() == null ? 1 : d.getSpec().getReplicas();
    }

    public static boolean ready(Deployment d, ServingIdentity wanted) {
        if (d == null || wanted.version() == null || d.getSpec() == null || d.getStatus() == null) {
            return false;
        }
        var labels = d.getSpec().getTemplate().getMetadata().getLabels();
        if (labels == null || !wanted.version().equals(labels.get(Labels.VERSION))) {
            return false;
        }
        var annotations = d.getMetadata().getAnnotations();
        if (wanted.configHash() != null
                && (annotations == null
                        || !wanted.configHash().equals(annotations.get(DesiredDeployment.CONFIG_HASH)))) {
            return false;
        }
        int want = d.getSpec().getReplicas() == null ? 1 : d.getSpec().getReplicas();
        var s = d.getStatus();
        boolean observed = d.getMetadata().getGeneration() == null
                || (s.getObservedGeneration() != null
                        && s.getObservedGeneration() >= d.getMetadata().getGeneration());
        int updated = value(s.getUpdatedReplicas());
        return want > 0
                && observed
                && updated >= want
                && value(s.getReplicas()) <= updated
                && value(s.getReadyReplicas()) >= want;
    }

    /**
     * Whether the Deployment's pod template runs {@code wanted}: its version label and, when {@code wanted} has one,
     * its configuration hash annotation. Says nothing about its pods being ready.
     */
    public static boolean runs(Deployment d, ServingIdentity wanted) {
        if (d == null || d.getSpec() == null || d.getSpec().getTemplate() == null) {
            return false;
        }
        var labels = d.getSpec().getTemplate().getMetadata() == null
                ? null
                : d.getSpec().getTemplate().getMetadata().getLabels();
        var annotations = d.getMetadata().getAnnotations();
        return labels != null
                && wanted.version() != null
                && wanted.version().equals(labels.get(Labels.VERSION))
                && (wanted.configHash() == null
                        || (annotations != null
                                && wanted.configHash().equals(annotations.get(DesiredDeployment.CONFIG_HASH))));
    }

    /**
     * How many of the Deployment's replicas are ready and run {@code wanted}: 0 unless its pod template runs it and the
     * Deployment controller has seen that template; then its ready replicas, no more than its updated ones.
     */
    public static int readyReplicas(Deployment d, ServingIdentity wanted) {
        if (!runs(d, wanted) || d.getStatus() == null) {
            return 0;
        }
        var s = d.getStatus();
        boolean observed = d.getMetadata().getGeneration() == null
                || (s.getObservedGeneration() != null
                        && s.getObservedGeneration() >= d.getMetadata().getGeneration());
        return observed ? Math.min(value(s.getReadyReplicas()), value(s.getUpdatedReplicas())) : 0;
    }

    /**
     * The pods the Deployment still runs, by its status as it stands (any template, observed or not): right after its
     * replicas are lowered, the ones it is to give up are still there until the controller has seen the change.
     */
    public static int podsHeld(Deployment d) {
        if (d == null || d.getStatus() == null) {
            return 0;
        }
        return Math.max(value(d.getStatus().getReplicas()), value(d.getStatus().getReadyReplicas()));
    }

    /** Ready for {@code wanted} with at least {@code replicas} replicas in its spec, all of them ready. */
    public static boolean atFullSize(Deployment d, ServingIdentity wanted, int replicas) {
        return ready(d, wanted)
                && d.getSpec().getReplicas() != null
                && d.getSpec().getReplicas() >= replicas;
    }

    private static int value(Integer i) {
        return i == null ? 0 : i;
    }
}
