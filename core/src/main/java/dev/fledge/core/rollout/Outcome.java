package dev.fledge.core.rollout;

import dev.fledge.api.status.ModelReleaseStatus;
import dev.fledge.api.status.Phase;
import java.util.ArrayList;
import java.util.List;

/** What one step has decided so far: the status being written, the events to record, the conditions' reason. */
final class Outcome {
    final ModelReleaseStatus st;
    final List<RolloutEvent> events = new ArrayList<>();
    ConditionReason reason;

    Outcome(ModelReleaseStatus st) {
        this.st = st;
    }

    void phase(Phase phase, ConditionReason why, String message) {
        st.setPhase(phase);
        st.setMessage(message);
        reason = why;
    }

    void event(EventReason eventReason, String message) {
        events.add(new RolloutEvent(eventReason, message));
    }
}
