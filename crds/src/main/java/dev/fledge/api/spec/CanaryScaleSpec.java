package dev.fledge.api.spec;

import com.fasterxml.jackson.annotation.JsonInclude;
import com.fasterxml.jackson.annotation.JsonPropertyDescription;
import io.fabric8.generator.annotation.Max;
import io.fabric8.generator.annotation.Min;
import io.fabric8.generator.annotation.ValidationRule;
import lombok.Getter;
import lombok.Setter;

/** How many replicas the canary Deployment runs in each stage (as Argo Rollouts' setCanaryScale). */
@JsonInclude(JsonInclude.Include.NON_NULL)
@ValidationRule(
        value = "has(self.replicas) != (has(self.matchTrafficWeight) && self.matchTrafficWeight)",
        message = "server.canary: set either replicas or matchTrafficWeight: true, not both and not neither")
@Getter
@Setter
public class CanaryScaleSpec {

    @JsonPropertyDescription(
            "A fixed number of canary replicas in every stage (1 to server.replicas). Not with matchTrafficWeight.")
    @Min(1)
    @Max(100)
    private Integer replicas;

    @JsonPropertyDescription(
            "The canary follows its public weight: ceil(weight% x server.replicas) replicas, at least 1 (preflight, internal and closed, whose public weight is 0, run 1). Not with replicas.")
    private Boolean matchTrafficWeight;

    public CanaryScaleSpec withReplicas(Integer replicas) {
        this.replicas = replicas;
        return this;
    }

    public CanaryScaleSpec withMatchTrafficWeight(Boolean matchTrafficWeight) {
        this.matchTrafficWeight = matchTrafficWeight;
        return this;
    }
}
