package dev.fledge.api.status;

import com.fasterxml.jackson.annotation.JsonInclude;
import com.fasterxml.jackson.annotation.JsonPropertyDescription;
import io.fabric8.kubernetes.api.model.Condition;
import java.util.List;
import lombok.Getter;
import lombok.Setter;

/** Observed state of a ModelRelease; the operator owns it. Every rollout state lives here, so a restarted operator resumes where it was. */
@JsonInclude(JsonInclude.Include.NON_NULL)
@Getter
@Setter
public class ModelReleaseStatus {

    @JsonPropertyDescription("Pending, Progressing, Paused, Promoted, RolledBack, Failed or Invalid.")
    private Phase phase;

    @JsonPropertyDescription("The version that serves everybody outside the current stage.")
    private String stableVersion;

    @JsonPropertyDescription(
            "The serving configuration the stable version was promoted with (model, image, port, pod template). The stable Deployment keeps it until the next promotion, whatever the spec says meanwhile.")
    private ServingStatus stable;

    @JsonPropertyDescription("The version being rolled out, if any.")
    private String canaryVersion;

    @JsonPropertyDescription(
            "Hash of the serving configuration being rolled out (see stable.configHash). With canaryVersion it names the rollout: a spec whose version or serving configuration differs starts a new one.")
    private String canaryConfigHash;

    @JsonPropertyDescription("Current stage: preflight, shadow, internal, closed, public or promoting.")
    private String stage;

    @JsonPropertyDescription("Index of the current public weight step.")
    private Integer step;

    @JsonPropertyDescription("Percent of public traffic on the canary.")
    private Integer canaryWeight;

    @JsonPropertyDescription(
            "Shadow stage only: percent of the live requests of mirrorFrom that the HTTPRoute mirrors to the canary. No user gets the canary's answers to them, and no feedback on them can exist.")
    private Integer mirrorPercent;

    @JsonPropertyDescription("Shadow stage only: the audiences (public, internal) whose live requests are mirrored.")
    private List<String> mirrorFrom;

    @JsonPropertyDescription("When the current rollout started (RFC 3339).")
    private String rolloutStartedAt;

    @JsonPropertyDescription("Time the current rollout spent paused, which does not count against progressDeadline.")
    private PauseStatus pause;

    @JsonPropertyDescription(
            "When the current stage started (RFC 3339). A stage that routes users' requests or mirrors of them to the canary (shadow, internal, closed) starts at the first reconcile after the one that entered it (or resumed it after Invalid) that saw its routes in place (stepWaitingSince empty): its minDuration and the gate verdicts that count for it run from here. The safety gate's live-output window runs from the stage's entry (its open status.history record), so outputs users got while it waited count.")
    private String stageStartedAt;

    @JsonPropertyDescription(
            "When the current public step started (RFC 3339): the first reconcile after the one that entered it (or resumed it after Invalid) that saw its split in place (stepWaitingSince empty). stepDuration counts from here.")
    private String stepStartedAt;

    @JsonPropertyDescription(
            "Set while the current stage or public step waits for its split to be in place (RFC 3339: since when): the canary ready, every route accepted by its Gateway and as written, and in a public step the route not holding the canary below the step's weight (canaryHeldWeight). Set when the stage or step is entered; empty once it has started.")
    private String stepWaitingSince;

    @JsonPropertyDescription(
            "When the canary Deployment, which no route sends requests to any more, is scaled to zero (RFC 3339): spec.traffic.scaleDownDelay after that route change was applied.")
    private String canaryScaleDownAt;

    @JsonPropertyDescription(
            "Replicas router only: until when (RFC 3339) the public Service keeps selecting the pods of a canary the routes are leaving (after an ordinary rollback or a cancelled rollout, or before a canary whose version or configuration changed mid-rollout is replaced), while the stable Deployment is not yet at full size and ready. Never after an abort or a critical gate failure; cleared, and never set again for that canary, once the hold ends.")
    private String canaryPublicHoldUntil;

    @JsonPropertyDescription(
            "server.canary / server.dynamicStableScale only: the public weight the routes keep on the canary while the track that is to take more of the traffic is not ready for it (the canary as its weight grows; stable after a rollback, an abort or a cancelled rollout, until it is back at server.replicas and ready; while promoting, stable taking the canary's share); cleared once the routes carry the split.")
    private Integer canaryHeldWeight;

    @JsonPropertyDescription(
            "server.canary / server.dynamicStableScale only: since when (RFC 3339) the routes have kept the canary's public weight while everyone is to go back to stable (a rollback, an abort, a cancelled rollout, an Invalid spec) and stable is not yet back at server.replicas and ready. The hold lasts at most progressDeadline from here (the fledge.dev/capacity-hold annotation ends it sooner or keeps it longer); kept after the routes moved to a stable that is still short, and cleared once stable is whole and ready or a new rollout sends users to a canary.")
    private String canaryHeldSince;

    @JsonPropertyDescription(
            "Each track's replicas (desired and ready) and the GPUs its pods request; for a release that sets server.canary or server.dynamicStableScale, or whose pods request GPUs.")
    private CapacityStatus capacity;

    @JsonPropertyDescription(
            "When the gates were last evaluated (RFC 3339). An analysis in which every gate it ran passes again with the stored values, in a stage or step where they already passed, is written at most every 5 minutes (the operator holds it in memory meanwhile), so this can lag the analysis interval by up to that much.")
    private String lastAnalysisAt;

    @JsonPropertyDescription(
            "A version that was rolled back; it is not retried until the spec changes or the retry action is used.")
    private String rolledBackVersion;

    @JsonPropertyDescription(
            "Hash of the serving configuration that was rolled back with rolledBackVersion; the same version with another configuration is a new rollout.")
    private String rolledBackConfigHash;

    @JsonPropertyDescription("Human-readable summary of the current state.")
    private String message;

    @JsonPropertyDescription("Summary of the last gate evaluation, e.g. error-rate=Pass.")
    private String lastGate;

    @JsonPropertyDescription("The last manual action consumed from the fledge.dev/action annotation, as text.")
    private String lastAction;

    @JsonPropertyDescription("The last manual action read from the fledge.dev/action annotation: recorded when it is"
            + " applied, before the annotation is removed, so that it is applied exactly once.")
    private ActionStatus action;

    @JsonPropertyDescription("Latest verdict of every gate, with its evidence.")
    private List<GateResult> gates;

    @JsonPropertyDescription("Stages of recent rollouts, newest last (bounded).")
    private List<StageRecord> history;

    @JsonPropertyDescription(
            "Ready, Progressing, Degraded and InvalidSpec; while they hold, the warnings HeaderAudienceOnPublicListener, AudienceNotRouted, AudienceHostnameOnPublicListener, StableTemplateKept, CriticalCategoryNotJudged and LiveOutputsJudgedByWordList, and RouteNotAccepted while a Gateway has not accepted the current generation of the release's HTTPRoute (reason WaitingForGateway, or RouteRefused when a parent answered Accepted=False, or ResolvedRefs=False for a route to InferencePools), and RouteNotApplied while the split the status stands for is not applied (reason RouteDrift when a route came out of the API server other than written, WriteFailed when a write of the pass failed), and CanaryNotReady while the canary runs the wanted version but is not ready and its pods say why (reason CrashLoopBackOff, ContainerFailed, ImagePullBackOff, Unschedulable, FailedCreate, ContainerCreating for 5 min after scheduling and the like; the message names the pod and container and carries its termination message, or for ContainerCreating the Secrets and ConfigMaps it mounts).")
    private List<Condition> conditions;

    @JsonPropertyDescription("The metadata.generation the status reflects.")
    private Long observedGeneration;

    public ModelReleaseStatus withPhase(Phase phase) {
        this.phase = phase;
        return this;
    }

    public ModelReleaseStatus withStableVersion(String stableVersion) {
        this.stableVersion = stableVersion;
        return this;
    }

    public ModelReleaseStatus withCanaryVersion(String canaryVersion) {
        this.canaryVersion = canaryVersion;
        return this;
    }

    public ModelReleaseStatus withStage(String stage) {
        this.stage = stage;
        return this;
    }

    public ModelReleaseStatus withStep(Integer step) {
        this.step = step;
        return this;
    }

    public ModelReleaseStatus withCanaryWeight(Integer canaryWeight) {
        this.canaryWeight = canaryWeight;
        return this;
    }

    public ModelReleaseStatus withRolloutStartedAt(String rolloutStartedAt) {
        this.rolloutStartedAt = rolloutStartedAt;
        return this;
    }

    public ModelReleaseStatus withStageStartedAt(String stageStartedAt) {
        this.stageStartedAt = stageStartedAt;
        return this;
    }

    public ModelReleaseStatus withStepStartedAt(String stepStartedAt) {
        this.stepStartedAt = stepStartedAt;
        return this;
    }

    public ModelReleaseStatus withLastAnalysisAt(String lastAnalysisAt) {
        this.lastAnalysisAt = lastAnalysisAt;
        return this;
    }

    public ModelReleaseStatus withRolledBackVersion(String rolledBackVersion) {
        this.rolledBackVersion = rolledBackVersion;
        return this;
    }

    public ModelReleaseStatus withMessage(String message) {
        this.message = message;
        return this;
    }

    public ModelReleaseStatus withLastGate(String lastGate) {
        this.lastGate = lastGate;
        return this;
    }

    public ModelReleaseStatus withLastAction(String lastAction) {
        this.lastAction = lastAction;
        return this;
    }

    public ModelReleaseStatus withGates(List<GateResult> gates) {
        this.gates = gates;
        return this;
    }

    public ModelReleaseStatus withHistory(List<StageRecord> history) {
        this.history = history;
        return this;
    }

    public ModelReleaseStatus withConditions(List<Condition> conditions) {
        this.conditions = conditions;
        return this;
    }

    public ModelReleaseStatus withObservedGeneration(Long observedGeneration) {
        this.observedGeneration = observedGeneration;
        return this;
    }
}
