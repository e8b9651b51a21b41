package dev.fledge.core.rollout;

/** A transition worth a Kubernetes Event. {@code warning} events are rollbacks and refusals. */
public record RolloutEvent(boolean warning, String reason, String message) {
    public static RolloutEvent normal(String reason, String message) {
        return new RolloutEvent(false, reason, message);
    }

    public static RolloutEvent warning(String reason, String message) {
        return new RolloutEvent(true, reason, message);
    }
}
