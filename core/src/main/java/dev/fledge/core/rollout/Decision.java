package dev.fledge.core.rollout;

import dev.fledge.api.status.ModelReleaseStatus;
import dev.fledge.api.status.Phase;
import java.time.Duration;
import java.util.List;

/**
 * The engine's answer: the next status, the traffic split it implies, the events to record, whether the manual
 * action was consumed, when to look again (null: only on change), the reason for the conditions, and the phase
 * change if there was one (for the transitions metric).
 */
public record Decision(
        ModelReleaseStatus status,
        TrafficSplit split,
        List<RolloutEvent> events,
        boolean actionConsumed,
        Duration requeueAfter,
        ConditionReason reason,
        PhaseChange phaseChange) {

    /** Whether the engine found the spec invalid: nothing is to be applied. */
    public boolean invalid() {
        return status.getPhase() == Phase.INVALID;
    }

    /**
     * Whether this decision ends the rollout that {@code before} records (a rollback, an abort, a cancel, a finished
     * promotion): the reconciler stores it before it moves anything, so a failed write afterwards cannot undo it.
     */
    public boolean endsRollout(ModelReleaseStatus before) {
        return before.getCanaryVersion() != null && status.getCanaryVersion() == null;
    }

    /** A phase transition, {@code from} -> {@code to} (from is {@code None} for a new release). */
    public record PhaseChange(String from, String to) {}
}
