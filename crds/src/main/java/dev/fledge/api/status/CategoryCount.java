package dev.fledge.api.status;

import com.fasterxml.jackson.annotation.JsonInclude;
import com.fasterxml.jackson.annotation.JsonPropertyDescription;
import lombok.Getter;
import lombok.Setter;

/** Outputs judged and flagged in one category. */
@JsonInclude(JsonInclude.Include.NON_NULL)
@Getter
@Setter
public class CategoryCount {

    @JsonPropertyDescription(
            "The category: a prompt category of the suite, or a judge category of flagged live outputs.")
    private String name;

    @JsonPropertyDescription(
            "Where the counts come from: suite (the last suite run, by prompt category) or online (live outputs of the canary for the current audience, for each criticalCategories category; no sample count, the metrics count flags per category only).")
    private String source;

    @JsonPropertyDescription("Outputs judged in this category; absent when the source does not count them.")
    private Long samples;

    @JsonPropertyDescription("Outputs flagged in this category.")
    private Long flagged;

    public CategoryCount withName(String name) {
        this.name = name;
        return this;
    }

    public CategoryCount withSource(String source) {
        this.source = source;
        return this;
    }

    public CategoryCount withSamples(Long samples) {
        this.samples = samples;
        return this;
    }

    public CategoryCount withFlagged(Long flagged) {
        this.flagged = flagged;
        return this;
    }
}
