package dev.fledge.operator.notify;

import dev.fledge.api.ModelRelease;
import dev.fledge.api.spec.NotificationEvent;
import dev.fledge.api.status.GateResult;
import dev.fledge.api.status.ModelReleaseStatus;
import dev.fledge.api.status.Phase;
import dev.fledge.core.rollout.RolloutEvent;
import java.time.Instant;
import java.util.List;
import java.util.Optional;

/**
 * One rollout event as the webhooks see it, built from the very {@link RolloutEvent} that becomes the Kubernetes
 * Event, and the status before and after the decision.
 *
 * @param reason    the Kubernetes Event reason (for a rollback: GateFailed, CriticalGateFailed,
 *                  ProgressDeadlineExceeded or Aborted)
 * @param message   the Kubernetes Event message (for a rollback: the reason and the failing gate's evidence)
 * @param fromStage the stage before the decision (null before the first stage)
 * @param toStage   the stage after it (null once the rollout is over)
 */
public record Notification(
        NotificationEvent event,
        String reason,
        String message,
        String namespace,
        String release,
        Phase phase,
        String fromStage,
        String toStage,
        int canaryWeight,
        String stableVersion,
        String canaryVersion,
        List<GateSummary> gates,
        Instant at) {

    /** One gate's last verdict and evidence; evidence fields are null when the gate has none of that kind. */
    public record GateSummary(
            String name,
            String kind,
            String verdict,
            String reason,
            Double value,
            Long samples,
            Long flagged,
            Double upperBound,
            Double pAboveMax) {}

    /** The notification for a rollout event, or empty for events that are not notified (ActionIgnored, ...; see EventReason). */
    public static Optional<Notification> of(
            ModelRelease mr, ModelReleaseStatus before, ModelReleaseStatus after, RolloutEvent e, Instant at) {
        Optional<NotificationEvent> notified = e.reason().notification();
        if (notified.isEmpty()) {
            return Optional.empty();
        }
        NotificationEvent event = notified.get();
        String canary = after.getCanaryVersion() != null ? after.getCanaryVersion() : before.getCanaryVersion();
        List<GateSummary> gates = after.getGates() == null
                ? List.of()
                : after.getGates().stream().map(Notification::summary).toList();
        return Optional.of(new Notification(
                event,
                e.reason().name(),
                e.message(),
                mr.getMetadata().getNamespace(),
                mr.getMetadata().getName(),
                after.getPhase(),
                before.getStage(),
                after.getStage(),
                after.getCanaryWeight() == null ? 0 : after.getCanaryWeight(),
                after.getStableVersion(),
                canary,
                gates,
                at));
    }

    private static GateSummary summary(GateResult g) {
        return new GateSummary(
                g.getName(),
                g.getKind(),
                g.getVerdict() == null ? null : g.getVerdict().wireName(),
                g.getReason(),
                g.getValue(),
                g.getSamples(),
                g.getFlagged(),
                g.getUpperBound(),
                g.getPAboveMax());
    }
}
