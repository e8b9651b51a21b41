package dev.fledge.core.rollout;

import java.time.Duration;
import java.util.ArrayList;
import java.util.List;

/**
 * The wording of every status message and Event message the engine writes, in one place: SREs read these in
 * {@code kubectl describe}, the CLI and webhooks, and tests and the runbook quote them.
 */
final class Messages {
    private Messages() {}

    static String unknownStage(String stage, String version) {
        return "status.stage \"" + stage + "\" is no stage this operator knows; the rollout of " + version
                + " starts again from preflight";
    }

    static String unknownAction(String raw) {
        return "ignored fledge.dev/action=" + raw + "; use promote, abort, retry or skip-stage";
    }

    static String ignored(ManualAction action, String why) {
        return "ignored fledge.dev/action=" + action.value() + ": " + why;
    }

    static String resumed(String canary, String stage) {
        return "rollout of " + canary + " resumed in stage " + stage;
    }

    static String paused(String stage) {
        return "paused in stage " + stage + " (spec.paused)";
    }

    static String servesAllTraffic(String version) {
        return version + " serves all traffic";
    }

    static String backToStable(String version) {
        return "spec.model.version is back to the stable " + version;
    }

    static String cancelled(String canary, String version) {
        return "rollout of " + canary + " cancelled: spec.model.version is back to " + version;
    }

    static String rolledBackUseRetry(String version) {
        return version + " was rolled back; use retry to roll it out again";
    }

    static String retrying(String version) {
        return "retrying " + version;
    }

    static String heldAtStable(String stage) {
        return "every audience is on stable while the spec is invalid (no gate runs); once it is valid, stage " + stage
                + " starts again (its minimum time and gates anew)";
    }

    static String resumedAfterInvalid(String canary, String stage) {
        return "the spec is valid again: rollout of " + canary + " resumes at the start of stage " + stage
                + ", traffic back on the canary as the last passed gates allowed";
    }

    static String specInvalid() {
        return "the spec is invalid; only abort applies until it is fixed";
    }

    static String noRolloutRunning() {
        return "no rollout is running";
    }

    static String canaryNotReady(String canary) {
        return "the canary " + canary + " is not ready; no users are sent to it before it is";
    }

    static String notFailed(String canary) {
        return "the rollout of " + canary + " has not failed";
    }

    static String supersededBy(String version) {
        return "superseded by " + version;
    }

    /**
     * The rollout that replaces one: {@code restoredStable} names the stable version the stable Deployment goes back
     * to when promotion was under way, else null.
     */
    static String canaryTemplateChanged() {
        return "the operator builds the canary's pod template otherwise now";
    }

    static String restartedForTemplate(String canary) {
        return "the operator builds the canary's pod template otherwise now (an operator upgrade, or a change of its"
                + " model-pod settings); the rollout of " + canary + " starts again from preflight, its users back on"
                + " stable until the new template has passed the gates";
    }

    static String restarted(String canary, String by, String restoredStable) {
        return "rollout of " + canary + " superseded by " + by + "; restarting from preflight"
                + (restoredStable == null
                        ? ""
                        : "; promotion stopped, the stable Deployment goes back to the recorded " + restoredStable);
    }

    /** The version being rolled out, said so when only its serving configuration changed. */
    static String newConfiguration(String version, String previous) {
        return version.equals(previous) ? version + " with a new serving configuration" : version;
    }

    static String starting(String version) {
        return "starting rollout of " + version;
    }

    static String started(String version, String stable) {
        return "rolling out " + newConfiguration(version, stable)
                + (stable == null ? " (first release, no stable version yet)" : " (stable " + stable + ")");
    }

    static String promotionUnderWay(String canary, String stable) {
        return stable == null
                ? "promotion of " + canary
                        + " is under way and it is the first release: there is no stable to go back to"
                : "promotion of " + canary + " is under way and status.stable does not record " + stable
                        + "'s serving configuration (written by an older operator); set spec.model.version back to "
                        + stable + " to roll back";
    }

    static String promoteRequested(String canary, String stage) {
        return "manual promote of " + canary + " from stage " + stage + "; remaining stages skipped";
    }

    static String stageSkipped(String stage) {
        return "stage " + stage + " skipped by request";
    }

    static String stageStarted(Stage stage, String canary, Integer step, Integer weight) {
        return "stage " + stage + " started for " + canary + (step != null ? " at public weight " + weight + "%" : "");
    }

    static String stepAdvanced(int weight, int step, int steps) {
        return "public weight " + weight + "% (step " + step + " of " + steps + ")";
    }

    static String promoting(String canary) {
        return "promoting " + canary + " to stable";
    }

    static String stableTaking(String canary) {
        return "stable Deployment is taking " + canary;
    }

    static String waitingForStable(String canary) {
        return "waiting for the stable Deployment to run " + canary + " and be ready";
    }

    static String promoted(String version) {
        return version + " promoted to stable";
    }

    static String waitingForCanary(String canary) {
        return "waiting for the canary Deployment to run " + canary + " and be ready";
    }

    static String capacityHeld(String stage, Integer weight, int held) {
        return "stage " + stage + " at " + weight + "%: the route holds the canary at " + held
                + "% until its pods are ready; the step does not move until it carries " + weight + "%";
    }

    /** A stage (public: at {@code weight}; any other: weight null) whose routes do not carry its split yet. */
    /**
     * A stage (public: a step at {@code weight}) held by its routes: one that has not {@code started} does not start;
     * one that started before and lost a route keeps its time.
     */
    static String routesPending(String stage, Integer weight, boolean started) {
        String what = weight == null ? "stage" : "step";
        return "stage " + stage + (weight == null ? "" : " at " + weight + "%")
                + ": waiting for the routes to carry it (conditions RouteNotAccepted,"
                + " RouteNotApplied); the " + what
                + (started
                        ? " does not move until they do (its time, started before, goes on)"
                        : " does not move, and its time does not start, until they do");
    }

    static String progress(String stage, Integer step, Integer weight, List<String> pending) {
        return "stage " + stage + (step != null ? " at " + weight + "%" : "")
                + (pending.isEmpty() ? "" : "; waiting for gates: " + String.join(", ", pending));
    }

    static String promotionStalled(Object deadline, String canary) {
        return "promotion stalled: the stable Deployment is not ready on " + canary + " progressDeadline " + deadline
                + " after promotion began; traffic stays as it is, see kubectl describe deploy on the stable Deployment";
    }

    static String stagesExceedDeadline(Duration stages, Duration deadline) {
        return "the stages take at least " + go(stages) + ", more than progressDeadline " + go(deadline)
                + ": the rollout will be rolled back at the deadline unless it is raised";
    }

    private static String go(Duration d) {
        return d.toString().substring(2).toLowerCase();
    }

    static String deadlineExceeded(Object deadline, String stage) {
        return "progressDeadline " + deadline + " exceeded in stage " + stage;
    }

    /** The deadline message of a stage or step still waiting for its routes: what they were waiting on. */
    static String deadlineExceededWaitingForRoutes(Object deadline, String stage, String since, String routes) {
        return deadlineExceeded(deadline, stage) + ", waiting since " + since + " for its routes to carry it"
                + (routes.isEmpty() ? "" : ": " + routes);
    }

    static String abortRequested() {
        return "abort requested through the fledge.dev/action annotation";
    }

    static String criticalFailure(GateVerdict v) {
        return "gate " + v.name() + " failed critically: " + v.reason() + evidence(v);
    }

    static String overFailureLimit(GateVerdict v, int failures, int limit) {
        return "gate " + v.name() + " failed " + failures + " of failureLimit " + limit + ": " + v.reason()
                + evidence(v);
    }

    static String rolledBackStatus(String failed, String message) {
        return "rolled back " + failed + ": " + message;
    }

    static String rolledBackEvent(String failed, String stable, String message) {
        return "rolled back " + failed
                + (stable == null ? " (no stable version: nothing serves public traffic)" : " to " + stable) + ": "
                + message;
    }

    private static String evidence(GateVerdict v) {
        List<String> parts = new ArrayList<>();
        if (v.value() != null) {
            parts.add("value=" + v.value());
        }
        if (v.samples() != null) {
            parts.add("samples=" + v.samples());
        }
        if (v.flagged() != null) {
            parts.add("flagged=" + v.flagged());
        }
        if (v.pAboveMax() != null) {
            parts.add(String.format("P(rate>max)=%.4f", v.pAboveMax()));
        }
        return parts.isEmpty() ? "" : " (" + String.join(", ", parts) + ")";
    }
}
