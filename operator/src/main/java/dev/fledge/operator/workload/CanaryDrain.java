package dev.fledge.operator.workload;

import dev.fledge.api.ModelRelease;
import dev.fledge.api.status.ModelReleaseStatus;
import dev.fledge.core.rollout.GoDuration;
import dev.fledge.core.rollout.Splits;
import dev.fledge.core.rollout.TrafficSplit;
import io.fabric8.kubernetes.api.model.apps.Deployment;
import java.time.Duration;
import java.time.Instant;

/**
 * When a canary that the split no longer runs (promoted, rolled back, aborted, cancelled) may lose its pods: traffic
 * moves first, pods after. The canary keeps its pods until the routes stopped sending it requests and
 * {@code spec.traffic.scaleDownDelay} has passed since that route change was applied. The time is kept in
 * {@code status.canaryScaleDownAt}, so a restarted operator keeps to it. Under a router that splits by replica counts
 * the canary may also stay in the public Service for a while ({@link #holdUntil}; the clock starts after).
 * Pure: the reconciler gives it what it saw and applied.
 */
public final class CanaryDrain {
    public static final Duration DEFAULT_DELAY = Duration.ofSeconds(30);
    public static final Duration MAX_DELAY = Duration.ofHours(1);
    /**
     * The longest the public Service keeps a leaving canary's pods while stable is not at full size and ready (quota,
     * pending pods): then the canary leaves it anyway, and public capacity may drop until stable has its pods.
     */
    public static final Duration HOLD_LIMIT = Duration.ofMinutes(5);

    private CanaryDrain() {}

    public static Duration delay(ModelRelease mr) {
        var traffic = mr.getSpec().getTraffic();
        // under autoscaling stable's floor holds until the canary is scaled down (AutoscaledFloor): by default long
        // enough for the autoscaler's metrics to show stable carrying everyone before it may lower it
        Duration fallback = Autoscalers.of(mr).isPresent() ? AUTOSCALED_DEFAULT_DELAY : DEFAULT_DELAY;
        return GoDuration.parseOr(traffic == null ? null : traffic.getScaleDownDelay(), fallback);
    }

    /** The default drain under {@code spec.server.autoscaling}. */
    public static final Duration AUTOSCALED_DEFAULT_DELAY = Duration.ofMinutes(2);

    /** Whether the canary Deployment still has (or is to have) pods. */
    public static boolean hasPods(Deployment canary) {
        return canary != null
                && canary.getSpec() != null
                && canary.getSpec().getReplicas() != null
                && canary.getSpec().getReplicas() > 0;
    }

    /**
     * Under a router that splits by replica counts: until when the public Service keeps selecting the pods of a canary
     * the routes are leaving ({@code leaving}: it has pods, and the split no longer runs it, or runs another version or
     * configuration), because stable is not yet at full size and ready ({@code stableAtFullSize}); null when it does
     * not (any more). A hold begins only where the public Service selected the canary by the previous split (a public
     * weight above zero), lasts at most {@link #HOLD_LIMIT}, ends for good once released (the recorded time is then
     * cleared and never set again for that canary), and never begins or goes on after an abort or a critical gate
     * failure ({@code noHold}): that canary leaves every route at once.
     */
    public static Instant holdUntil(
            ModelReleaseStatus old, boolean leaving, boolean stableAtFullSize, boolean noHold, Instant now) {
        if (!leaving || stableAtFullSize || noHold) {
            return null;
        }
        Instant until;
        if (old.getCanaryPublicHoldUntil() != null) {
            until = Instant.parse(old.getCanaryPublicHoldUntil());
        } else if (publicOnCanary(old)) {
            until = now.plus(HOLD_LIMIT);
        } else {
            return null;
        }
        return now.isBefore(until) ? until : null;
    }

    /** Whether the split of this status sent public traffic to its canary. */
    static boolean publicOnCanary(ModelReleaseStatus st) {
        TrafficSplit split = Splits.of(st);
        return split.canaryRunning() && split.publicCanaryWeight() > 0;
    }

    /**
     * When the canary is to be scaled to zero, or null when there is nothing to drain (a canary runs, or it has no
     * pods) or the routes have not truly left it ({@code routesLeft} false: the public Service holds it, or the route
     * apply reported drift). The time already recorded wins; otherwise it is {@code routed} (when the route change was
     * applied) plus the delay.
     */
    public static Instant scaleDownAt(
            ModelReleaseStatus old,
            TrafficSplit split,
            Deployment canary,
            boolean routesLeft,
            Instant routed,
            Duration delay) {
        if (split.canaryRunning() || !hasPods(canary) || !routesLeft) {
            return null;
        }
        return old.getCanaryScaleDownAt() != null ? Instant.parse(old.getCanaryScaleDownAt()) : routed.plus(delay);
    }
}
