package dev.fledge.api.spec;

import com.fasterxml.jackson.annotation.JsonInclude;
import com.fasterxml.jackson.annotation.JsonPropertyDescription;
import io.fabric8.generator.annotation.Min;
import io.fabric8.generator.annotation.Required;

/** Beta(alpha, beta) prior. */
@JsonInclude(JsonInclude.Include.NON_NULL)
public class PriorSpec {

    @JsonPropertyDescription("Prior pseudo-count of harmful outputs.")
    @Required
    @Min(value = 0.0, inclusive = false)
    private Double alpha;

    @JsonPropertyDescription("Prior pseudo-count of safe outputs.")
    @Required
    @Min(value = 0.0, inclusive = false)
    private Double beta;

    public Double getAlpha() {
        return alpha;
    }

    public void setAlpha(Double alpha) {
        this.alpha = alpha;
    }

    public PriorSpec withAlpha(Double alpha) {
        this.alpha = alpha;
        return this;
    }

    public Double getBeta() {
        return beta;
    }

    public void setBeta(Double beta) {
        this.beta = beta;
    }

    public PriorSpec withBeta(Double beta) {
        this.beta = beta;
        return this;
    }
}
