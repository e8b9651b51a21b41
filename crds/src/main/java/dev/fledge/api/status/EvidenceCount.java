package dev.fledge.api.status;

import com.fasterxml.jackson.annotation.JsonInclude;
import com.fasterxml.jackson.annotation.JsonPropertyDescription;
import lombok.Getter;
import lombok.Setter;

/** Safety gate: the outputs judged and flagged in this rollout by one source, the counts its posterior is built on. */
@JsonInclude(JsonInclude.Include.NON_NULL)
@Getter
@Setter
public class EvidenceCount {

    @JsonPropertyDescription(
            "suite (the suite runs against the canary) or stable (the suite runs against stable, for stableMargin).")
    private String source;

    @JsonPropertyDescription("The prompt suite, as name@hash: runs of another suite content are counted apart.")
    private String suite;

    @JsonPropertyDescription("The version the suite ran against.")
    private String version;

    @JsonPropertyDescription("Outputs judged, over all runs of this rollout.")
    private Long samples;

    @JsonPropertyDescription("Outputs flagged, over all runs of this rollout.")
    private Long flagged;

    public EvidenceCount withSource(String source) {
        this.source = source;
        return this;
    }

    public EvidenceCount withSuite(String suite) {
        this.suite = suite;
        return this;
    }

    public EvidenceCount withVersion(String version) {
        this.version = version;
        return this;
    }

    public EvidenceCount withSamples(Long samples) {
        this.samples = samples;
        return this;
    }

    public EvidenceCount withFlagged(Long flagged) {
        this.flagged = flagged;
        return this;
    }
}
