package dev.fledge.operator.notify;

import dev.fledge.api.ModelRelease;

/**
 * Tells the outside world about a rollout event. Implementations must return at once: the reconciler calls this on
 * its own thread, and a slow or failing receiver must never hold a rollout back.
 */
public interface Notifier {
    /** Sends nothing. */
    Notifier NONE = (mr, notification) -> {};

    void notify(ModelRelease mr, Notification notification);
}
