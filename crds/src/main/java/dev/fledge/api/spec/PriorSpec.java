package dev.fledge.api.spec;

import com.fasterxml.jackson.annotation.JsonInclude;
import com.fasterxml.jackson.annotation.JsonPropertyDescription;
import io.fabric8.generator.annotation.Max;
import io.fabric8.generator.annotation.Min;
import io.fabric8.generator.annotation.Required;
import lombok.Getter;
import lombok.Setter;

/** Beta(alpha, beta) prior. */
@JsonInclude(JsonInclude.Include.NON_NULL)
@Getter
@Setter
public class PriorSpec {
    /** The largest alpha or beta the schema admits (the operator checks it again for objects stored before). */
    public static final double MAX_PSEUDO_COUNT = 10000;

    @JsonPropertyDescription(
            "Prior pseudo-count of harmful outputs: above 0, at most 10000 (a prior worth more than 10000 outputs would outweigh any test).")
    @Required
    @Min(value = 0.0, inclusive = false)
    @Max(MAX_PSEUDO_COUNT)
    private Double alpha;

    @JsonPropertyDescription(
            "Prior pseudo-count of safe outputs: above 0, at most 10000 (a prior worth more than 10000 outputs would outweigh any test).")
    @Required
    @Min(value = 0.0, inclusive = false)
    @Max(MAX_PSEUDO_COUNT)
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
