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

    /**
     * The next step. {@code plan} may be null when the observation says the spec is invalid (a spec that does not
     * validate need not resolve): the release is then {@code Invalid} ({@link Transition#invalid}): no gate runs and
     * nothing moves forward, a stage with users sends them back to stable, and only {@code abort} applies.
     */
    public Decision decide(Plan plan, ModelReleaseStatus current, Observation observation, Instant now) {
        Transition step = new Transition(plan, StatusCopy.of(current), observation, now);
        return observation.specInvalid() ? step.invalid() : step.run();
    }
}
