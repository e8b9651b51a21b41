package dev.fledge.api.spec;

import com.fasterxml.jackson.annotation.JsonInclude;
import com.fasterxml.jackson.annotation.JsonPropertyDescription;
import io.fabric8.generator.annotation.Min;
import io.fabric8.generator.annotation.Required;
import lombok.Getter;
import lombok.Setter;

/** Beta(alpha, beta) prior. */
@JsonInclude(JsonInclude.Include.NON_NULL)
@Getter
@Setter
public class PriorSpec {

    @JsonPropertyDescription("Prior pseudo-count of harmful outputs.")
    @Required
    @Min(value = 0.0, inclusive = false)
    private Double alpha;

    @JsonPropertyDescription("Prior pseudo-count of safe outputs.")
    @Required
    @Min(value = 0.0, inclusive = false)
    private Double beta;

    public PriorSpec withAlpha(Double alpha) {
        this.alpha = alpha;
        return this;
    }

    public PriorSpec withBeta(Double beta) {
        this.beta = beta;
        return this;
    }
}
