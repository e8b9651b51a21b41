package dev.fledge.api.status;

import com.fasterxml.jackson.annotation.JsonInclude;
import com.fasterxml.jackson.annotation.JsonProperty;
import com.fasterxml.jackson.annotation.JsonPropertyDescription;
import io.fabric8.generator.annotation.Size;
import java.util.List;
import lombok.Getter;
import lombok.Setter;

/** The latest verdict of one gate, with its evidence. */
@JsonInclude(JsonInclude.Include.NON_NULL)
@Getter
@Setter
public class GateResult {

    @JsonPropertyDescription("Gate name.")
    private String name;

    @JsonPropertyDescription("metric, safety or feedback.")
    private String kind;

    @JsonPropertyDescription("Pass, Fail or Inconclusive.")
    private Verdict verdict;

    @JsonPropertyDescription("True when the failure demands an immediate rollback.")
    private Boolean critical;

    @JsonPropertyDescription("Why the gate gave this verdict.")
    private String reason;

    @JsonPropertyDescription("Metric value, if any.")
    private Double value;

    @JsonPropertyDescription("Outputs judged (safety) or ratings counted (feedback).")
    private Long samples;

    @JsonPropertyDescription("Outputs flagged (safety) or negative ratings (feedback).")
    private Long flagged;

    @JsonPropertyDescription("Posterior mean of the rate.")
    private Double posteriorMean;

    @JsonPropertyDescription("Upper credible bound of the rate at the configured confidence.")
    private Double upperBound;

    @JsonPropertyDescription("Posterior probability that the rate is above the maximum.")
    @JsonProperty("pAboveMax")
    private Double pAboveMax;

    @JsonPropertyDescription("Safety gate: the prompt suite this verdict was judged on (name and content hash).")
    private SuiteRefStatus suite;

    @JsonPropertyDescription(
            "Safety gate: outputs judged and flagged per category, from the last suite run (source suite, by prompt category) and, with online: true, from live outputs (source online: the flags of each criticalCategories category). At most 32.")
    @Size(max = 32)
    private List<CategoryCount> categories;

    @JsonPropertyDescription(
            "Safety gate: the ConfigMap (owned by the release) with the counts of the last suite run and its first flagged prompt/output pairs, truncated.")
    private String report;

    @JsonPropertyDescription(
            "Safety gate: the suite evidence of this rollout, per source, suite content and version: every run adds to it, and the posterior is computed from it. It is part of the rollout: reset when a rollout starts (a new version, retry), kept across operator restarts. At most 8 (the oldest go first).")
    @Size(max = 8)
    private List<EvidenceCount> evidence;

    @JsonPropertyDescription(
            "Safety gate: the suite's runs in the current stage: Running while a run is queued or under way (off the reconcile thread), Done once counted.")
    private SuiteRunStatus suiteRun;

    @JsonPropertyDescription("Failed checks of this gate in the current stage.")
    private Integer failures;

    @JsonPropertyDescription(
            "When the verdict was given (RFC 3339). A Pass that repeats the stored one in the same stage or step is written at most every 5 minutes, like lastAnalysisAt; a Prometheus answer still on its way (reason \"evaluating: ...\") is written only with another change or at that 5-minute mark, and its answer by the rules above.")
    private String at;

    public GateResult withName(String name) {
        this.name = name;
        return this;
    }

    public GateResult withKind(String kind) {
        this.kind = kind;
        return this;
    }

    public GateResult withVerdict(Verdict verdict) {
        this.verdict = verdict;
        return this;
    }

    public GateResult withCritical(Boolean critical) {
        this.critical = critical;
        return this;
    }

    public GateResult withReason(String reason) {
        this.reason = reason;
        return this;
    }

    public GateResult withValue(Double value) {
        this.value = value;
        return this;
    }

    public GateResult withSamples(Long samples) {
        this.samples = samples;
        return this;
    }

    public GateResult withFlagged(Long flagged) {
        this.flagged = flagged;
        return this;
    }

    public GateResult withPosteriorMean(Double posteriorMean) {
        this.posteriorMean = posteriorMean;
        return this;
    }

    public GateResult withUpperBound(Double upperBound) {
        this.upperBound = upperBound;
        return this;
    }

    @JsonProperty("pAboveMax")
    public Double getPAboveMax() {
        return pAboveMax;
    }

    @JsonProperty("pAboveMax")
    public void setPAboveMax(Double pAboveMax) {
        this.pAboveMax = pAboveMax;
    }

    public GateResult withPAboveMax(Double pAboveMax) {
        this.pAboveMax = pAboveMax;
        return this;
    }

    public GateResult withFailures(Integer failures) {
        this.failures = failures;
        return this;
    }

    public GateResult withAt(String at) {
        this.at = at;
        return this;
    }

    public GateResult withSuite(SuiteRefStatus suite) {
        this.suite = suite;
        return this;
    }

    public GateResult withCategories(List<CategoryCount> categories) {
        this.categories = categories;
        return this;
    }

    public GateResult withSuiteRun(SuiteRunStatus suiteRun) {
        this.suiteRun = suiteRun;
        return this;
    }

    public GateResult withEvidence(List<EvidenceCount> evidence) {
        this.evidence = evidence;
        return this;
    }

    public GateResult withReport(String report) {
        this.report = report;
        return this;
    }
}
