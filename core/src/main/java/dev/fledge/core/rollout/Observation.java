package dev.fledge.core.rollout;

import java.util.List;
import java.util.Optional;

/**
 * What the reconciler saw this time round.
 *
 * @param canaryReady    the canary Deployment runs the canary version and all its replicas are ready
 * @param stableReady    the stable Deployment runs the version it should (during promotion: the new one) and is ready
 * @param verdicts       verdicts of this evaluation, or empty when no analysis was due
 * @param action         a manual action from the annotation, if any, not yet applied
 * @param unknownAction  the raw annotation value when it names no known action
 * @param specErrors     what is wrong with the spec (validation, or the API server refusing an object made from it);
 *                       when there is any, the engine decides {@code Invalid} and nothing else
 * @param actionRead     the object's resourceVersion when the action (or unknown action) was read, recorded with it
 * @param actionRemoved  the annotation of the action recorded in {@code status.action} is gone
 * @param actionValue    the annotation's value as given (with its nonce, if any), or null when none was read
 * @param canaryTemplateChanged the canary Deployment runs the canary's version and configuration in a pod template
 *                       the operator now builds otherwise (an operator upgrade, or a change of its model-pod
 *                       settings): the template its gates passed is not the one its pods would get
 */
public record Observation(
        boolean canaryReady,
        boolean stableReady,
        List<GateVerdict> verdicts,
        Optional<ManualAction> action,
        Optional<String> unknownAction,
        List<String> specErrors,
        String actionRead,
        boolean actionRemoved,
        String actionValue,
        boolean canaryTemplateChanged) {

    public static Observation of(boolean canaryReady, boolean stableReady) {
        return new Observation(
                canaryReady,
                stableReady,
                List.of(),
                Optional.empty(),
                Optional.empty(),
                List.of(),
                null,
                false,
                null,
                false);
    }

    /** A spec that cannot be rolled out, for these reasons. */
    public static Observation invalid(List<String> errors) {
        return new Observation(
                false,
                false,
                List.of(),
                Optional.empty(),
                Optional.empty(),
                List.copyOf(errors),
                null,
                false,
                null,
                false);
    }

    /**
     * The same observation (its action included) of a spec that cannot be rolled out, for these reasons: only an
     * {@code abort} applies then; any other action is recorded as ignored.
     */
    public Observation withSpecErrors(List<String> errors) {
        return new Observation(
                canaryReady,
                stableReady,
                List.of(),
                action,
                unknownAction,
                List.copyOf(errors),
                actionRead,
                actionRemoved,
                actionValue,
                canaryTemplateChanged);
    }

    public Observation withVerdicts(List<GateVerdict> evaluated) {
        return new Observation(
                canaryReady,
                stableReady,
                List.copyOf(evaluated),
                action,
                unknownAction,
                specErrors,
                actionRead,
                actionRemoved,
                actionValue,
                canaryTemplateChanged);
    }

    public Observation withAction(ManualAction a) {
        return new Observation(
                canaryReady,
                stableReady,
                verdicts,
                Optional.of(a),
                unknownAction,
                specErrors,
                actionRead,
                actionRemoved,
                actionValue,
                canaryTemplateChanged);
    }

    public Observation withUnknownAction(String raw) {
        return new Observation(
                canaryReady,
                stableReady,
                verdicts,
                action,
                Optional.of(raw),
                specErrors,
                actionRead,
                actionRemoved,
                actionValue,
                canaryTemplateChanged);
    }

    /**
     * The annotation's value {@code raw}, read at the object's {@code resourceVersion}: a new action to apply (and
     * record in {@code status.action}), known or not.
     */
    public Observation withRequestedAction(String raw, String resourceVersion) {
        Optional<ManualAction> parsed = ManualAction.parse(raw);
        return new Observation(
                canaryReady,
                stableReady,
                verdicts,
                parsed,
                parsed.isPresent() ? Optional.empty() : Optional.of(raw),
                specErrors,
                resourceVersion,
                actionRemoved,
                raw,
                canaryTemplateChanged);
    }

    /** The annotation of the action in {@code status.action} is gone (the operator removed it, or someone did). */
    public Observation withActionRemoved() {
        return new Observation(
                canaryReady,
                stableReady,
                verdicts,
                action,
                unknownAction,
                specErrors,
                actionRead,
                true,
                actionValue,
                canaryTemplateChanged);
    }

    /**
     * The same observation, with the canary's pod template built otherwise by the operator now: such a canary is not
     * ready for its plan (its pods are to be replaced), whatever its pods say.
     */
    public Observation withCanaryTemplateChanged(boolean changed) {
        return new Observation(
                canaryReady && !changed,
                stableReady,
                verdicts,
                action,
                unknownAction,
                specErrors,
                actionRead,
                actionRemoved,
                actionValue,
                changed);
    }

    /** The value to record in {@code status.action}: the annotation as given, or the action's name. */
    public String raw() {
        if (actionValue != null) {
            return actionValue;
        }
        return action.map(ManualAction::value).orElseGet(() -> unknownAction.orElse(""));
    }

    public boolean hasAction() {
        return action.isPresent() || unknownAction.isPresent();
    }

    public boolean specInvalid() {
        return !specErrors.isEmpty();
    }
}
