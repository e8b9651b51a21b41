package dev.fledge.core.rollout;

import dev.fledge.api.status.ModelReleaseStatus;
import dev.fledge.api.status.Phase;
import java.time.Instant;
import java.util.List;

/**
 * The rollout state machine: {@code (plan, status, observation, now) -> decision}. Pure: no client calls, no clock
 * of its own, no randomness. Every bit of state lives in the returned status, so a restarted operator continues
 * exactly where the last status left it. See {@link Transition} for the rules.
 */
public final class RolloutEngine {
    public static final int HISTORY_LIMIT = 30;

    /**
     * The next step. {@code plan} may be null when the observation says the spec is invalid (a spec that does not
     * validate need not resolve): the release is then {@code Invalid}, and nothing else changes.
     */
    public Decision decide(Plan plan, ModelReleaseStatus current, Observation observation, Instant now) {
        if (observation.specInvalid()) {
            return invalid(current, String.join("; ", observation.specErrors()), now);
        }
        return new Transition(plan, StatusCopy.of(current), observation, now).run();
    }

    /**
     * Phase Invalid with the errors as its message; a Warning event when that is news. Workloads stay as they are. A
     * rollout in flight stops its deadline clock as a pause does ({@link PauseClock#hold}): time spent Invalid does not
     * count against progressDeadline.
     */
    private static Decision invalid(ModelReleaseStatus current, String message, Instant now) {
        ModelReleaseStatus next = StatusCopy.of(current);
        PauseClock.hold(next, now);
        Phase before = current.getPhase();
        next.setPhase(Phase.INVALID);
        next.setMessage(message);
        boolean news = before != Phase.INVALID || !message.equals(current.getMessage());
        List<RolloutEvent> events = news ? List.of(new RolloutEvent(EventReason.InvalidSpec, message)) : List.of();
        Decision.PhaseChange change = before == Phase.INVALID
                ? null
                : new Decision.PhaseChange(before == null ? "None" : before.wireName(), Phase.INVALID.wireName());
        return new Decision(next, Splits.of(next), events, false, null, ConditionReason.InvalidSpec, change);
    }
}
