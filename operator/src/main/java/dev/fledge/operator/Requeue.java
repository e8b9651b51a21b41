package dev.fledge.operator;

import dev.fledge.api.status.ModelReleaseStatus;
import dev.fledge.api.status.Phase;
import dev.fledge.operator.routing.AcceptanceWatch;
import java.time.Duration;
import java.time.Instant;
import java.util.List;

/**
 * How soon a release is reconciled again after a pass ({@link ModelReleaseReconciler}): the engine's own requeue, the
 * canary's drain and the capacity hold's deadline, and sooner while the pass left something to look at again (routes
 * waiting for a Gateway or for pods, drift, a stage or step whose split this pass put in place). Null: no requeue of
 * its own (informer events wake it). Pure.
 *
 * @param engine       the engine's requeue, counted from the time it decided at (see {@link #after(Instant, Instant,
 *                     Instant)})
 * @param scaleDownAt  when the canary's drain ends, or null
 * @param holdUntil    when the capacity hold ends, or null
 * @param heldWeight   the public weight the routes hold the canary at for its pods, or null
 * @param decided      the status the pass decided
 * @param canaryReady  whether the canary Deployment was ready in this pass
 * @param waited       how long each route the Gateway has not accepted has waited
 * @param drift        whether a route came out of the API server other than written
 */
record Requeue(
        Duration engine,
        Instant scaleDownAt,
        Instant holdUntil,
        Integer heldWeight,
        ModelReleaseStatus decided,
        boolean canaryReady,
        List<Duration> waited,
        boolean drift) {
    static final Duration AT_ONCE = Duration.ofMillis(10);

    /** The delay from {@code end} (the pass's end, where JOSDK counts from) for a pass that started at {@code now}. */
    Duration after(Instant now, Instant end) {
        return after(now, now, end);
    }

    /**
     * As {@link #after(Instant, Instant)}, for a pass whose decision was taken at {@code decidedAt} (the engine counted
     * its delay from then), later than the pass's start: a stage started when its routes were found accepted, after the
     * pass applied them. Counted from the pass's start instead, that stage's next analysis came that much (100-300 ms
     * under load) early, and every later one with it: the last fell short of the stage's last interval, so the hold's
     * end could not move on with it and read again. The drain and hold deadlines are instants: still measured from
     * {@code now}, so one that fell due during the pass is not passed over.
     */
    Duration after(Instant now, Instant decidedAt, Instant end) {
        Duration fromDecision = engine == null ? null : engine.plus(Duration.between(now, decidedAt));
        Duration requeue = earliest(now, fromDecision, scaleDownAt, holdUntil);
        if (heldWeight != null && (requeue == null || requeue.compareTo(ModelReleaseReconciler.DRIFT_RETRY) > 0)) {
            requeue =
                    ModelReleaseReconciler.DRIFT_RETRY; // the routes wait for a track's pods (their events wake it too)
        }
        if (decided.getStepWaitingSince() != null
                && decided.getPhase() != Phase.PAUSED // a paused stage does not start: nothing to look at soon
                && canaryReady // else its Deployment's events wake the release
                && heldWeight == null
                && waited.isEmpty()
                && !drift
                && (requeue == null || requeue.compareTo(ModelReleaseReconciler.ACCEPTANCE_RETRY) > 0)) {
            // this pass put the step's split in place (the engine saw the status from before it): the next pass starts
            // the step, soon, rather than at the next analysis
            requeue = ModelReleaseReconciler.ACCEPTANCE_RETRY;
        }
        if (requeue != null) {
            // the engine counted the delay from this reconcile's start; JOSDK counts it from its end
            Duration left = requeue.minus(Duration.between(now, end));
            requeue = left.compareTo(AT_ONCE) < 0 ? AT_ONCE : left;
        }
        if (drift && (requeue == null || requeue.compareTo(ModelReleaseReconciler.DRIFT_RETRY) > 0)) {
            requeue =
                    ModelReleaseReconciler
                            .DRIFT_RETRY; // apply (and sweep) again soon, also with nothing else to wait for
        }
        if (!waited.isEmpty()) {
            // look again soon; a wait already reported (a Gateway that does not answer) is looked at less often
            Duration again = waited.stream().allMatch(w -> w.compareTo(AcceptanceWatch.WARN_AFTER) >= 0)
                    ? ModelReleaseReconciler.DRIFT_RETRY
                    : ModelReleaseReconciler.ACCEPTANCE_RETRY;
            requeue = requeue == null || requeue.compareTo(again) > 0 ? again : requeue;
        }
        return requeue;
    }

    /** The sooner of {@code wait} and the time until each of {@code wakes} still ahead of {@code now}; null if none. */
    static Duration earliest(Instant now, Duration wait, Instant... wakes) {
        Duration soonest = wait;
        for (Instant wake : wakes) {
            if (wake != null && wake.isAfter(now)) {
                Duration until = Duration.between(now, wake);
                soonest = soonest == null || until.compareTo(soonest) < 0 ? until : soonest;
            }
        }
        return soonest;
    }
}
