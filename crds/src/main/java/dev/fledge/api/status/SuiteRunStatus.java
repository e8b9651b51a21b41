package dev.fledge.api.status;

import com.fasterxml.jackson.annotation.JsonInclude;
import com.fasterxml.jackson.annotation.JsonPropertyDescription;
import lombok.Getter;
import lombok.Setter;

/**
 * The safety suite's runs in the current stage. Suites run off the reconcile thread; this record lets a later
 * reconcile, or a restarted operator, know that a run is under way (and start it again if the operator restarted)
 * and how many runs of this stage were counted.
 */
@JsonInclude(JsonInclude.Include.NON_NULL)
@Getter
@Setter
public class SuiteRunStatus {

    @JsonPropertyDescription("Running (a run is queued or under way) or Done (the last run was counted).")
    private String state;

    @JsonPropertyDescription("The canary version the runs are for.")
    private String version;

    @JsonPropertyDescription("The stage the runs are for.")
    private String stage;

    @JsonPropertyDescription("The hash of the suite the runs use.")
    private String suiteHash;

    @JsonPropertyDescription("Runs of this stage whose evidence was counted.")
    private Integer runs;

    @JsonPropertyDescription(
            "The id of the last run whose evidence was added to evidence: a finished run is counted only once, across retried status writes and restarts.")
    private String countedRun;

    @JsonPropertyDescription("When the run under way was queued (RFC 3339), while Running.")
    private String startedAt;

    public SuiteRunStatus withState(String state) {
        this.state = state;
        return this;
    }

    public SuiteRunStatus withVersion(String version) {
        this.version = version;
        return this;
    }

    public SuiteRunStatus withStage(String stage) {
        this.stage = stage;
        return this;
    }

    public SuiteRunStatus withSuiteHash(String suiteHash) {
        this.suiteHash = suiteHash;
        return this;
    }

    public SuiteRunStatus withRuns(Integer runs) {
        this.runs = runs;
        return this;
    }

    public SuiteRunStatus withCountedRun(String countedRun) {
        this.countedRun = countedRun;
        return this;
    }

    public SuiteRunStatus withStartedAt(String startedAt) {
        this.startedAt = startedAt;
        return this;
    }
}
