package dev.fledge.core.rollout;

import java.util.List;
import java.util.Optional;

/**
 * What the reconciler saw this time round.
 *
 * @param canaryReady    the canary Deployment runs the canary version and all its replicas are ready
 * @param stableReady    the stable Deployment runs the version it should (during promotion: the new one) and is ready
 * @param verdicts       verdicts of this evaluation, or empty when no analysis was due
 * @param action         a manual action from the annotation, if any
 * @param unknownAction  the raw annotation value when it names no known action
 */
public record Observation(boolean canaryReady, boolean stableReady, List<GateVerdict> verdicts, Optional<ManualAction> action, Optional<String> unknownAction) {

    public static Observation of(boolean canaryReady, boolean stableReady) {
        return new Observation(canaryReady, stableReady, List.of(), Optional.empty(), Optional.empty());
    }

    public Observation withVerdicts(List<GateVerdict> evaluated) {
        return new Observation(canaryReady, stableReady, List.copyOf(evaluated), action, unknownAction);
    }

    public Observation withAction(ManualAction a) {
        return new Observation(canaryReady, stableReady, verdicts, Optional.of(a), unknownAction);
    }

    public Observation withUnknownAction(String raw) {
        return new Observation(canaryReady, stableReady, verdicts, action, Optional.of(raw));
    }

    public boolean hasAction() {
        return action.isPresent() || unknownAction.isPresent();
    }
}
