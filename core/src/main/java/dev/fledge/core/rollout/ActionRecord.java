package dev.fledge.core.rollout;

import dev.fledge.api.status.ActionStatus;
import dev.fledge.api.status.ModelReleaseStatus;
import java.time.Instant;
import java.util.Optional;

/**
 * {@code status.action}: the manual action last read from the {@code fledge.dev/action} annotation. The engine records
 * it in the status that applies it; the reconciler removes the annotation only once that status is stored. Until the
 * annotation is gone, an annotation with the recorded value is that same action, already applied: it is removed, not
 * applied again. So an action is applied exactly once, whatever write fails or whenever the operator restarts.
 */
public final class ActionRecord {
    public static final String APPLIED = "Applied";
    public static final String IGNORED = "Ignored";
    public static final String UNKNOWN = "Unknown";

    private ActionRecord() {}

    /** Whether {@code annotation} is the recorded action, applied already, whose annotation is still to be removed. */
    public static boolean awaitsRemoval(ModelReleaseStatus st, String annotation) {
        return pending(st).filter(a -> a.getValue().equals(annotation.trim())).isPresent();
    }

    /** Whether {@code status.action} still waits for its annotation to go. */
    public static boolean awaitsRemoval(ModelReleaseStatus st) {
        return pending(st).isPresent();
    }

    private static Optional<ActionStatus> pending(ModelReleaseStatus st) {
        return Optional.ofNullable(st.getAction())
                .filter(a -> a.getValue() != null && !Boolean.TRUE.equals(a.getAnnotationRemoved()));
    }

    /** Records the action of {@code obs}, if it brings one, as applied now, its annotation not yet removed. */
    static void read(ModelReleaseStatus st, Observation obs, Instant now) {
        if (obs.actionRemoved() && st.getAction() != null) {
            st.getAction().setAnnotationRemoved(true);
        }
        if (!obs.hasAction()) {
            return;
        }
        ActionStatus a = new ActionStatus();
        // the annotation's value as given, its nonce included: the same action with another nonce is a new request
        a.setValue(obs.raw().trim());
        a.setResourceVersion(obs.actionRead());
        a.setAppliedAt(now.toString());
        a.setOutcome(obs.action().isPresent() ? APPLIED : UNKNOWN);
        a.setAnnotationRemoved(false);
        st.setAction(a);
    }

    /** The action just read did not apply now (an {@code ActionIgnored} event says why). */
    static void ignored(ModelReleaseStatus st) {
        if (st.getAction() != null) {
            st.getAction().setOutcome(IGNORED);
        }
    }
}
