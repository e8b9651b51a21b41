package dev.fledge.api.status;

import com.fasterxml.jackson.annotation.JsonInclude;
import com.fasterxml.jackson.annotation.JsonPropertyDescription;

/** One stage of a rollout, for the history. */
@JsonInclude(JsonInclude.Include.NON_NULL)
public class StageRecord {

    @JsonPropertyDescription("Stage name.")
    private String stage;

    @JsonPropertyDescription("Canary version in that stage.")
    private String version;

    @JsonPropertyDescription("When the stage started (RFC 3339).")
    private String enteredAt;

    @JsonPropertyDescription("When the stage ended (RFC 3339).")
    private String leftAt;

    @JsonPropertyDescription("Passed, Failed, Skipped, Aborted, Promoted or Superseded.")
    private String result;

    @JsonPropertyDescription("Why the stage ended so.")
    private String reason;

    public String getStage() {
        return stage;
    }

    public void setStage(String stage) {
        this.stage = stage;
    }

    public StageRecord withStage(String stage) {
        this.stage = stage;
        return this;
    }

    public String getVersion() {
        return version;
    }

    public void setVersion(String version) {
        this.version = version;
    }

    public StageRecord withVersion(String version) {
        this.version = version;
        return this;
    }

    public String getEnteredAt() {
        return enteredAt;
    }

    public void setEnteredAt(String enteredAt) {
        this.enteredAt = enteredAt;
    }

    public StageRecord withEnteredAt(String enteredAt) {
        this.enteredAt = enteredAt;
        return this;
    }

    public String getLeftAt() {
        return leftAt;
    }

    public void setLeftAt(String leftAt) {
        this.leftAt = leftAt;
    }

    public StageRecord withLeftAt(String leftAt) {
        this.leftAt = leftAt;
        return this;
    }

    public String getResult() {
        return result;
    }

    public void setResult(String result) {
        this.result = result;
    }

    public StageRecord withResult(String result) {
        this.result = result;
        return this;
    }

    public String getReason() {
        return reason;
    }

    public void setReason(String reason) {
        this.reason = reason;
    }

    public StageRecord withReason(String reason) {
        this.reason = reason;
        return this;
    }
}
