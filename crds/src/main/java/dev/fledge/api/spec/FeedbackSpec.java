package dev.fledge.api.spec;

import com.fasterxml.jackson.annotation.JsonInclude;
import com.fasterxml.jackson.annotation.JsonPropertyDescription;
import io.fabric8.generator.annotation.Max;
import io.fabric8.generator.annotation.Min;
import io.fabric8.generator.annotation.Required;
import io.fabric8.generator.annotation.Size;
import io.fabric8.generator.annotation.ValidationRule;
import java.util.List;
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

    @JsonPropertyDescription(
            "Audiences whose ratings count. Default [internal, closed]: anyone can send public feedback, so in the public stage the gate counts the trusted audiences' ratings of the canary (they stay on it from their own stage on), not the public's. Add public only when public feedback comes from authenticated users. A rating counts under the less trusted of the audience its response was issued to and the audience it was sent from (the public route strips X-Fledge-Audience).")
    @Size(min = 1, max = 3)
    @ValidationRule(value = "self.all(a, self.exists_one(b, b == a))", message = "trustedAudiences must not repeat")
    private List<FeedbackAudience> trustedAudiences;

    public FeedbackSpec withMaxNegativeRate(Double maxNegativeRate) {
        this.maxNegativeRate = maxNegativeRate;
        return this;
    }

    public FeedbackSpec withConfidence(Double confidence) {
        this.confidence = confidence;
        return this;
    }

    public FeedbackSpec withTrustedAudiences(List<FeedbackAudience> trustedAudiences) {
        this.trustedAudiences = trustedAudiences;
        return this;
    }
}
