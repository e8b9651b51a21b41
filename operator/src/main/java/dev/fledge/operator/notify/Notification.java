package dev.fledge.operator.notify;

import dev.fledge.api.ModelRelease;
import dev.fledge.api.spec.NotificationEvent;
import dev.fledge.api.status.GateResult;
import dev.fledge.api.status.ModelReleaseStatus;
import dev.fledge.api.status.Phase;
import dev.fledge.core.rollout.RolloutEvent;
import dev.fledge.operator.gates.safety.FlaggedExample;
import java.time.Instant;
import java.util.ArrayList;
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

    /** What stands in a webhook payload where the flagged prompt/output pairs were. */
    public static final String EXAMPLES_WITHHELD = "; flagged examples withheld (see the safety report)";

    /**
     * This notification without the safety gate's flagged red-team prompt/output pairs: they are cut from each
     * gate's reason and from the message (which quotes the failing gate's reason), and a note stands in their
     * place. The rest of the message (the evidence after the reason) stays.
     */
    public Notification withoutFlaggedExamples() {
        String msg = message;
        List<GateSummary> kept = new ArrayList<>(gates.size());
        for (GateSummary g : gates) {
            String gateReason = g.reason();
            int cut = gateReason == null ? -1 : gateReason.indexOf(FlaggedExample.IN_REASON);
            if (cut >= 0) {
                String examples = gateReason.substring(cut);
                if (msg != null) {
                    msg = msg.replace(examples, EXAMPLES_WITHHELD);
                }
                gateReason = gateReason.substring(0, cut) + EXAMPLES_WITHHELD;
            }
            kept.add(new GateSummary(
                    g.name(),
                    g.kind(),
                    g.verdict(),
                    gateReason,
                    g.value(),
                    g.samples(),
                    g.flagged(),
                    g.upperBound(),
                    g.pAboveMax()));
        }
        int left = msg == null ? -1 : msg.indexOf(FlaggedExample.IN_REASON);
        if (left >= 0) {
            // quoted from a gate result no longer in the status: nothing tells where the examples end
            msg = msg.substring(0, left) + EXAMPLES_WITHHELD;
        }
        return new Notification(
                event,
                reason,
                msg,
                namespace,
                release,
                phase,
                fromStage,
                toStage,
                canaryWeight,
                stableVersion,
                canaryVersion,
                List.copyOf(kept),
                at);
    }

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
