package dev.fledge.api.status;

import com.fasterxml.jackson.annotation.JsonInclude;
import com.fasterxml.jackson.annotation.JsonPropertyDescription;
import java.util.List;

/** Observed state of a ModelRelease; the operator owns it. Every rollout state lives here, so a restarted operator resumes where it was. */
@JsonInclude(JsonInclude.Include.NON_NULL)
public class ModelReleaseStatus {

    @JsonPropertyDescription("Pending, Progressing, Paused, Promoted, RolledBack, Failed or Invalid.")
    private Phase phase;

    @JsonPropertyDescription("The version that serves everybody outside the current stage.")
    private String stableVersion;

    @JsonPropertyDescription("The version being rolled out, if any.")
    private String canaryVersion;

    @JsonPropertyDescription("Current stage: preflight, internal, closed or public.")
    private String stage;

    @JsonPropertyDescription("Index of the current public weight step.")
    private Integer step;

    @JsonPropertyDescription("Percent of public traffic on the canary.")
    private Integer canaryWeight;

    @JsonPropertyDescription("When the current rollout started (RFC 3339).")
    private String rolloutStartedAt;

    @JsonPropertyDescription("Time the current rollout spent paused, which does not count against progressDeadline.")
    private PauseStatus pause;

    @JsonPropertyDescription("When the current stage started (RFC 3339).")
    private String stageStartedAt;

    @JsonPropertyDescription("When the current public step started (RFC 3339).")
    private String stepStartedAt;

    @JsonPropertyDescription("When the gates were last evaluated (RFC 3339).")
    private String lastAnalysisAt;

    @JsonPropertyDescription("A version that was rolled back; it is not retried until the spec changes or the retry action is used.")
    private String rolledBackVersion;

    @JsonPropertyDescription("Human-readable summary of the current state.")
    private String message;

    @JsonPropertyDescription("Summary of the last gate evaluation, e.g. error-rate=Pass.")
    private String lastGate;

    @JsonPropertyDescription("The last manual action consumed from the fledge.dev/action annotation.")
    private String lastAction;

    @JsonPropertyDescription("Latest verdict of every gate, with its evidence.")
    private List<GateResult> gates;

    @JsonPropertyDescription("Stages of recent rollouts, newest last (bounded).")
    private List<StageRecord> history;

    @JsonPropertyDescription("Ready, Progressing, Degraded and InvalidSpec.")
    private List<io.fabric8.kubernetes.api.model.Condition> conditions;

    @JsonPropertyDescription("The metadata.generation the status reflects.")
    private Long observedGeneration;

    public Phase getPhase() {
        return phase;
    }

    public void setPhase(Phase phase) {
        this.phase = phase;
    }

    public ModelReleaseStatus withPhase(Phase phase) {
        this.phase = phase;
        return this;
    }

    public String getStableVersion() {
        return stableVersion;
    }

    public void setStableVersion(String stableVersion) {
        this.stableVersion = stableVersion;
    }

    public ModelReleaseStatus withStableVersion(String stableVersion) {
        this.stableVersion = stableVersion;
        return this;
    }

    public String getCanaryVersion() {
        return canaryVersion;
    }

    public void setCanaryVersion(String canaryVersion) {
        this.canaryVersion = canaryVersion;
    }

    public ModelReleaseStatus withCanaryVersion(String canaryVersion) {
        this.canaryVersion = canaryVersion;
        return this;
    }

    public String getStage() {
        return stage;
    }

    public void setStage(String stage) {
        this.stage = stage;
    }

    public ModelReleaseStatus withStage(String stage) {
        this.stage = stage;
        return this;
    }

    public Integer getStep() {
        return step;
    }

    public void setStep(Integer step) {
        this.step = step;
    }

    public ModelReleaseStatus withStep(Integer step) {
        this.step = step;
        return this;
    }

    public Integer getCanaryWeight() {
        return canaryWeight;
    }

    public void setCanaryWeight(Integer canaryWeight) {
        this.canaryWeight = canaryWeight;
    }

    public ModelReleaseStatus withCanaryWeight(Integer canaryWeight) {
        this.canaryWeight = canaryWeight;
        return this;
    }

    public String getRolloutStartedAt() {
        return rolloutStartedAt;
    }

    public void setRolloutStartedAt(String rolloutStartedAt) {
        this.rolloutStartedAt = rolloutStartedAt;
    }

    public ModelReleaseStatus withRolloutStartedAt(String rolloutStartedAt) {
        this.rolloutStartedAt = rolloutStartedAt;
        return this;
    }

    public PauseStatus getPause() {
        return pause;
    }

    public void setPause(PauseStatus pause) {
        this.pause = pause;
    }

    public String getStageStartedAt() {
        return stageStartedAt;
    }

    public void setStageStartedAt(String stageStartedAt) {
        this.stageStartedAt = stageStartedAt;
    }

    public ModelReleaseStatus withStageStartedAt(String stageStartedAt) {
        this.stageStartedAt = stageStartedAt;
        return this;
    }

    public String getStepStartedAt() {
        return stepStartedAt;
    }

    public void setStepStartedAt(String stepStartedAt) {
        this.stepStartedAt = stepStartedAt;
    }

    public ModelReleaseStatus withStepStartedAt(String stepStartedAt) {
        this.stepStartedAt = stepStartedAt;
        return this;
    }

    public String getLastAnalysisAt() {
        return lastAnalysisAt;
    }

    public void setLastAnalysisAt(String lastAnalysisAt) {
        this.lastAnalysisAt = lastAnalysisAt;
    }

    public ModelReleaseStatus withLastAnalysisAt(String lastAnalysisAt) {
        this.lastAnalysisAt = lastAnalysisAt;
        return this;
    }

    public String getRolledBackVersion() {
        return rolledBackVersion;
    }

    public void setRolledBackVersion(String rolledBackVersion) {
        this.rolledBackVersion = rolledBackVersion;
    }

    public ModelReleaseStatus withRolledBackVersion(String rolledBackVersion) {
        this.rolledBackVersion = rolledBackVersion;
        return this;
    }

    public String getMessage() {
        return message;
    }

    public void setMessage(String message) {
        this.message = message;
    }

    public ModelReleaseStatus withMessage(String message) {
        this.message = message;
        return this;
    }

    public String getLastGate() {
        return lastGate;
    }

    public void setLastGate(String lastGate) {
        this.lastGate = lastGate;
    }

    public ModelReleaseStatus withLastGate(String lastGate) {
        this.lastGate = lastGate;
        return this;
    }

    public String getLastAction() {
        return lastAction;
    }

    public void setLastAction(String lastAction) {
        this.lastAction = lastAction;
    }

    public ModelReleaseStatus withLastAction(String lastAction) {
        this.lastAction = lastAction;
        return this;
    }

    public List<GateResult> getGates() {
        return gates;
    }

    public void setGates(List<GateResult> gates) {
        this.gates = gates;
    }

    public ModelReleaseStatus withGates(List<GateResult> gates) {
        this.gates = gates;
        return this;
    }

    public List<StageRecord> getHistory() {
        return history;
    }

    public void setHistory(List<StageRecord> history) {
        this.history = history;
    }

    public ModelReleaseStatus withHistory(List<StageRecord> history) {
        this.history = history;
        return this;
    }

    public List<io.fabric8.kubernetes.api.model.Condition> getConditions() {
        return conditions;
    }

    public void setConditions(List<io.fabric8.kubernetes.api.model.Condition> conditions) {
        this.conditions = conditions;
    }

    public ModelReleaseStatus withConditions(List<io.fabric8.kubernetes.api.model.Condition> conditions) {
        this.conditions = conditions;
        return this;
    }

    public Long getObservedGeneration() {
        return observedGeneration;
    }

    public void setObservedGeneration(Long observedGeneration) {
        this.observedGeneration = observedGeneration;
    }

    public ModelReleaseStatus withObservedGeneration(Long observedGeneration) {
        this.observedGeneration = observedGeneration;
        return this;
    }
}
