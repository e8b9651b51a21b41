package dev.fledge.core.rollout;

/** A transition worth a Kubernetes Event; its type (Normal or Warning) comes with the {@link EventReason}. */
public record RolloutEvent(EventReason reason, String message) {
    public boolean warning() {
        return reason.warning();
    }
}
