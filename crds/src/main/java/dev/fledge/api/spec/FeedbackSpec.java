package dev.fledge.api.spec;

import com.fasterxml.jackson.annotation.JsonInclude;
import com.fasterxml.jackson.annotation.JsonPropertyDescription;
import io.fabric8.generator.annotation.Max;
import io.fabric8.generator.annotation.Min;
import io.fabric8.generator.annotation.Required;
import lombok.Getter;
import lombok.Setter;

/** The Bayesian gate on user thumbs-down, read from the model server metrics. */
@JsonInclude(JsonInclude.Include.NON_NULL)
@Getter
@Setter
public class FeedbackSpec {

    @JsonPropertyDescription("Negative-rating share that must not be reached.")
    @Required
    @Min(value = 0.0, inclusive = false)
    @Max(value = 1.0, inclusive = false)
    private Double maxNegativeRate;

    @JsonPropertyDescription("Posterior probability needed for a verdict (as in safety.confidence). Default 0.9.")
    @Min(0.5)
    @Max(value = 1.0, inclusive = false)
    private Double confidence;

    public FeedbackSpec withMaxNegativeRate(Double maxNegativeRate) {
        this.maxNegativeRate = maxNegativeRate;
        return this;
    }

    public FeedbackSpec withConfidence(Double confidence) {
        this.confidence = confidence;
        return this;
    }
}
