package dev.fledge.operator.rollout;

/** A transition worth a Kubernetes Event (and a metric). {@code warning} events are rollbacks and refusals. */
public record RolloutEvent(boolean warning, String reason, String message, String fromPhase, String toPhase) {
    public static RolloutEvent normal(String reason, String message) {
        return new RolloutEvent(false, reason, message, null, null);
    }

    public static RolloutEvent warning(String reason, String message) {
        return new RolloutEvent(true, reason, message, null, null);
    }
}
