package dev.fledge.core.rollout;

/**
 * A configured gate as the engine sees it.
 *
 * @param name         gate name, as in status
 * @param failureLimit failed checks in one rollout that trigger a rollback
 * @param inPreflight  whether the gate runs before any user sees the canary (the safety suite does; metric gates,
 *                     which need traffic, do not). Every gate but feedback runs in the shadow stage, on mirrored
 *                     traffic.
 */
public record GatePlan(String name, int failureLimit, boolean inPreflight) {
    public boolean appliesTo(Stage stage) {
        if (stage == Stage.SHADOW) {
            // no user sees a shadow output, so none can rate it: the feedback gate has nothing to count there
            return !PlanResolver.FEEDBACK_GATE.equals(name);
        }
        return stage != Stage.PREFLIGHT || inPreflight;
    }
}
