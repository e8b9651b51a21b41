package dev.fledge.core.rollout;

/**
 * A configured gate as the engine sees it.
 *
 * @param name         gate name, as in status
 * @param failureLimit failed checks in one rollout that trigger a rollback
 * @param inPreflight  whether the gate runs before any user sees the canary (the safety suite does; metric gates,
 *                     which need traffic, do not)
 */
public record GatePlan(String name, int failureLimit, boolean inPreflight) {
    public boolean appliesTo(Stage stage) {
        return stage != Stage.PREFLIGHT || inPreflight;
    }
}
