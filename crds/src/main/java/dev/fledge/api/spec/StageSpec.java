package dev.fledge.api.spec;

import com.fasterxml.jackson.annotation.JsonInclude;
import com.fasterxml.jackson.annotation.JsonPropertyDescription;
import io.fabric8.generator.annotation.Pattern;
import io.fabric8.generator.annotation.Required;
import io.fabric8.generator.annotation.Size;
import io.fabric8.generator.annotation.ValidationRule;
import java.util.List;
import lombok.Getter;
import lombok.Setter;

/** One stage of a rollout. */
@JsonInclude(JsonInclude.Include.NON_NULL)
@ValidationRule(
        value = "self.name == 'public' || (!has(self.steps) && !has(self.stepDuration))",
        message = "steps and stepDuration apply only to the public stage",
        fieldPath = ".steps")
@Getter
@Setter
public class StageSpec {

    @JsonPropertyDescription("internal, closed or public.")
    @Required
    private StageName name;

    @JsonPropertyDescription(
            "Minimum time in the stage (internal, closed), once all gates pass. Default 10m for internal, 30m for closed.")
    @Pattern("^([0-9]+(\\.[0-9]+)?(ms|s|m|h))+$")
    private String minDuration;

    @JsonPropertyDescription(
            "Public stage only: the canary weight steps, percent of public traffic. Strictly ascending, ending at 100. Default [5, 25, 50, 100].")
    @Size(min = 1, max = 20)
    @ValidationRule(value = "self.all(w, w >= 1 && w <= 100)", message = "weights must be between 1 and 100")
    @ValidationRule(
            value = "self.isSorted() && self.all(w, self.exists_one(v, v == w))",
            message = "steps must be strictly ascending")
    @ValidationRule(value = "self[size(self) - 1] == 100", message = "steps must end at 100")
    private List<Integer> steps;

    @JsonPropertyDescription("Public stage only: minimum time at each weight step. Default 10m.")
    @Pattern("^([0-9]+(\\.[0-9]+)?(ms|s|m|h))+$")
    private String stepDuration;

    public StageSpec withName(StageName name) {
        this.name = name;
        return this;
    }

    public StageSpec withMinDuration(String minDuration) {
        this.minDuration = minDuration;
        return this;
    }

    public StageSpec withSteps(List<Integer> steps) {
        this.steps = steps;
        return this;
    }

    public StageSpec withStepDuration(String stepDuration) {
        this.stepDuration = stepDuration;
        return this;
    }
}
