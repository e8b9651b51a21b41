package dev.fledge.operator.workload;

import dev.fledge.api.ModelRelease;
import dev.fledge.api.status.ModelReleaseStatus;
import dev.fledge.core.rollout.GoDuration;
import dev.fledge.core.rollout.TrafficSplit;
import io.fabric8.kubernetes.api.model.apps.Deployment;
import java.time.Duration;
import java.time.Instant;

/**
 * When a canary that the split no longer runs (promoted, rolled back, aborted, cancelled) may lose its pods: traffic
 * moves first, pods after. The canary keeps its pods until the routes stopped sending it requests and
 * {@code spec.traffic.scaleDownDelay} has passed since that route change was applied. The time is kept in
 * {@code status.canaryScaleDownAt}, so a restarted operator keeps to it. Under a router that splits by replica counts
 * the canary also stays in the public Service until stable is at full size and ready (the clock starts after).
 * Pure: the reconciler gives it what it saw and applied.
 */
public final class CanaryDrain {
    public static final Duration DEFAULT_DELAY = Duration.ofSeconds(30);
    public static final Duration MAX_DELAY = Duration.ofHours(1);

    private CanaryDrain() {}

    public static Duration delay(ModelRelease mr) {
        var traffic = mr.getSpec().getTraffic();
        return GoDuration.parseOr(traffic == null ? null : traffic.getScaleDownDelay(), DEFAULT_DELAY);
    }

    /** Whether the canary Deployment still has (or is to have) pods. */
    public static boolean hasPods(Deployment canary) {
        return canary != null
                && canary.getSpec() != null
                && canary.getSpec().getReplicas() != null
                && canary.getSpec().getReplicas() > 0;
    }

    /**
     * Whether a router that splits by replica counts must keep the canary's pods in the public Service: the split
     * runs no canary any more, but its pods still serve, and stable is not yet at full size and ready to take over.
     */
    public static boolean holdPublic(TrafficSplit split, Deployment canary, boolean stableAtFullSize) {
        return !split.canaryRunning() && split.stableVersion() != null && hasPods(canary) && !stableAtFullSize;
    }

    /**
     * When the canary is to be scaled to zero, or null when there is nothing to drain (a canary runs, or it has no
     * pods) or a route still sends it requests ({@code held}). The time already recorded wins; otherwise it is
     * {@code routed} (when the route change was applied) plus the delay.
     */
    public static Instant scaleDownAt(
            ModelReleaseStatus old,
            TrafficSplit split,
            Deployment canary,
            boolean held,
            Instant routed,
            Duration delay) {
        if (split.canaryRunning() || !hasPods(canary) || held) {
            return null;
        }
        return old.getCanaryScaleDownAt() != null ? Instant.parse(old.getCanaryScaleDownAt()) : routed.plus(delay);
    }
}
