package dev.fledge.core.rollout;

import dev.fledge.api.status.ModelReleaseStatus;

import java.time.Instant;

/**
 * The rollout state machine: {@code (plan, status, observation, now) -> decision}. Pure: no client calls, no clock
 * of its own, no randomness. Every bit of state lives in the returned status, so a restarted operator continues
 * exactly where the last status left it. See {@link Transition} for the rules.
 */
public final class RolloutEngine {
    public static final int HISTORY_LIMIT = 30;

    public Decision decide(Plan plan, ModelReleaseStatus current, Observation observation, Instant now) {
        return new Transition(plan, StatusCopy.of(current), observation, now).run();
    }
}
