package dev.fledge.operator.workload;

import dev.fledge.api.Labels;
import io.fabric8.kubernetes.api.model.apps.Deployment;

/**
 * A Deployment is ready for a version when its pod template runs that version, every replica is updated and ready,
 * and no pod of an older template is left.
 */
public final class Readiness {
    private Readiness() {}

    public static boolean ready(Deployment d, String version) {
        if (d == null || version == null || d.getSpec() == null || d.getStatus() == null) {
            return false;
        }
        var labels = d.getSpec().getTemplate().getMetadata().getLabels();
        if (labels == null || !version.equals(labels.get(Labels.VERSION))) {
            return false;
        }
        int want = d.getSpec().getReplicas() == null ? 1 : d.getSpec().getReplicas();
        var s = d.getStatus();
        boolean observed = s.getObservedGeneration() == null
                || d.getMetadata().getGeneration() == null
                || s.getObservedGeneration() >= d.getMetadata().getGeneration();
        // pods of the previous template still running (a rolling update not finished) count in readyReplicas: wait
        // until they are gone, as kubectl rollout status does
        boolean noOldPods = s.getReplicas() == null || s.getReplicas() <= value(s.getUpdatedReplicas());
        return want > 0
                && observed
                && noOldPods
                && value(s.getReadyReplicas()) >= want
                && value(s.getUpdatedReplicas()) >= want;
    }

    /** Ready for {@code version} with at least {@code replicas} replicas in its spec, all of them ready. */
    public static boolean atFullSize(Deployment d, String version, int replicas) {
        return ready(d, version)
                && d.getSpec().getReplicas() != null
                && d.getSpec().getReplicas() >= replicas;
    }

    private static int value(Integer i) {
        return i == null ? 0 : i;
    }
}
