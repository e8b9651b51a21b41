package dev.fledge.core.rollout;

import dev.fledge.api.spec.AutoscalingSpec;

/**
 * Under {@code spec.server.autoscaling} each track's HorizontalPodAutoscaler sizes it; the operator only sets each
 * autoscaler's floor ({@code minReplicas}). This is the size a pass takes as the release's {@code replicas}, the whole
 * that {@link Capacity} shares out (with {@code matchTrafficWeight}: the canary's floor is its public share of it).
 * Pure.
 *
 * <ul>
 * <li>No canary runs: {@code minReplicas}. Stable's autoscaler is free between its bounds.</li>
 * <li>A canary runs beside stable, or still has pods after the routes left it (the drain after a promotion, a
 * rollback or an abort): stable's current size, at least {@code minReplicas}. Stable's floor rises to what it runs,
 * so its autoscaler cannot shrink it while users move to the canary (its share falls): a rollback or an abort sends
 * everyone back to as many pods as carried them before. The floor holds until the canary is scaled down, so the
 * autoscaler's own scale-down window (the highest recommendation of the last minutes) has seen stable carry everyone
 * before it may lower it ({@code CanaryDrain}: at least two minutes under autoscaling).</li>
 * <li>Promoting (a first release too), and while the routes leave a canary that still has pods (the pass that ends a
 * promotion, a rollback, an abort, and the drain after): the larger of both tracks' sizes, so the track that takes
 * everyone is as large as the one that carried them. After a rollback the routes hold the canary's weight until
 * stable is (as with {@code dynamicStableScale}: {@code CapacityHold}).</li>
 * </ul>
 *
 * Always within {@code minReplicas} and {@code maxReplicas}.
 */
public final class AutoscaledFloor {
    private AutoscaledFloor() {}

    /**
     * @param stableSize the stable Deployment's replicas (0 when it has none)
     * @param canarySize the canary Deployment's replicas (0 when it has none)
     */
    public static int whole(
            AutoscalingSpec autoscaling, TrafficSplit split, boolean promoting, int stableSize, int canarySize) {
        int min = autoscaling.min();
        int max = max(autoscaling);
        int whole = min;
        if (split.stableVersion() != null && (split.canaryRunning() || canarySize > 0)) {
            whole = Math.max(whole, stableSize);
        }
        if (promoting || (split.stableVersion() != null && !split.canaryRunning() && canarySize > 0)) {
            // promoting, or the routes leaving a canary that still has pods (a promotion that ended, a rollback, an
            // abort): the track that takes everyone is as large as the one that carried them
            whole = Math.max(whole, Math.max(stableSize, canarySize));
        }
        return Math.min(max, whole);
    }

    /** {@code replicas} within the autoscaler's bounds; 0 stays 0 (a track that runs no pods). */
    public static int clamp(AutoscalingSpec autoscaling, int replicas) {
        if (replicas <= 0) {
            return 0;
        }
        int min = autoscaling.min();
        return Math.max(min, Math.min(max(autoscaling), replicas));
    }

    /** {@code maxReplicas}, never below {@code minReplicas} (an invalid spec's is read as its minimum). */
    public static int max(AutoscalingSpec autoscaling) {
        int min = autoscaling.min();
        return autoscaling.getMaxReplicas() == null ? min : Math.max(min, autoscaling.getMaxReplicas());
    }
}
