package dev.fledge.api.status;

import com.fasterxml.jackson.annotation.JsonInclude;
import com.fasterxml.jackson.annotation.JsonPropertyDescription;
import lombok.Getter;
import lombok.Setter;

/** One stage of a rollout, for the history. */
@JsonInclude(JsonInclude.Include.NON_NULL)
@Getter
@Setter
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

    public StageRecord withStage(String stage) {
        this.stage = stage;
        return this;
    }

    public StageRecord withVersion(String version) {
        this.version = version;
        return this;
    }

    public StageRecord withEnteredAt(String enteredAt) {
        this.enteredAt = enteredAt;
        return this;
    }

    public StageRecord withLeftAt(String leftAt) {
        this.leftAt = leftAt;
        return this;
    }

    public StageRecord withResult(String result) {
        this.result = result;
        return this;
    }

    public StageRecord withReason(String reason) {
        this.reason = reason;
        return this;
    }
}
