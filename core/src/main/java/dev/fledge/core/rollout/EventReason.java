package dev.fledge.core.rollout;

import dev.fledge.api.spec.NotificationEvent;
import java.util.Optional;

/**
 * The reason of every Kubernetes Event the operator records, with its type, and the webhook notification it becomes
 * (if any). One enum, so a reason cannot be misspelt between where it is raised and where it is notified.
 */
public enum EventReason {
    RolloutStarted(false, NotificationEvent.ROLLOUT_STARTED),
    RolloutRestarted(false, null),
    StagesExceedDeadline(true, null),
    RolloutCancelled(false, null),
    RetryRequested(false, null),
    StageStarted(false, NotificationEvent.STAGE_STARTED),
    StepAdvanced(false, NotificationEvent.STEP_ADVANCED),
    StageSkipped(false, null),
    PromoteRequested(false, null),
    Promoting(false, null),
    PromotionStalled(true, null),
    Promoted(false, NotificationEvent.PROMOTED),
    Paused(false, null),
    Resumed(false, null),
    GateFailed(true, NotificationEvent.ROLLED_BACK),
    CriticalGateFailed(true, NotificationEvent.ROLLED_BACK),
    ProgressDeadlineExceeded(true, NotificationEvent.ROLLED_BACK),
    Aborted(true, NotificationEvent.ROLLED_BACK),
    ActionIgnored(true, null),
    UnknownAction(true, null),
    UnknownStage(true, null),
    RouteDrift(true, null),
    /** A route the API server stored has not been accepted by its Gateway for a while (once per wait). */
    RouteNotAccepted(true, null),
    /** An invalid release's own HTTPRoute lay outside the operator's route limits and was deleted (or could not be). */
    RouteOutsideLimits(true, null),
    InvalidSpec(true, null),
    /**
     * A capacity hold on the way back to stable ended before stable was whole and ready: at its deadline, or by the
     * {@code fledge.dev/capacity-hold=release} override (once per hold).
     */
    CapacityHoldEnded(true, null),
    /**
     * The canary runs the wanted version but is not ready, and its pods say why (a container that keeps failing, an
     * image that cannot be pulled, pods that cannot be created or scheduled): once per new reason.
     */
    CanaryNotReady(true, null),
    /** A Deployment of the release (built by an older operator) mounted a hostPath volume writable: now read-only. */
    HostPathMadeReadOnly(true, null),
    /** Such a Deployment could not be patched read-only (once per new failure; tried again at every pass). */
    HostPathLockFailed(true, null),
    /** A webhook payload that must be signed could not be (its key unreadable or too short): it was not sent. */
    NotificationNotSent(true, null);

    private final boolean warning;
    private final NotificationEvent notification;

    EventReason(boolean warning, NotificationEvent notification) {
        this.warning = warning;
        this.notification = notification;
    }

    /** Warning events are rollbacks and refusals; the others are Normal. */
    public boolean warning() {
        return warning;
    }

    /** The webhook event this reason is notified as, or empty for reasons that are not notified. */
    public Optional<NotificationEvent> notification() {
        return Optional.ofNullable(notification);
    }
}
