package dev.fledge.api.spec;

import com.fasterxml.jackson.annotation.JsonInclude;
import com.fasterxml.jackson.annotation.JsonPropertyDescription;
import io.fabric8.generator.annotation.Max;
import io.fabric8.generator.annotation.Min;
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
@ValidationRule(
        value = "self.name == 'shadow' || (!has(self.mirrorPercent) && !has(self.mirrorFrom))",
        message = "mirrorPercent and mirrorFrom apply only to the shadow stage",
        fieldPath = ".mirrorPercent")
@ValidationRule(
        value = "self.name != 'shadow' || has(self.mirrorFrom)",
        message =
                "the shadow stage needs mirrorFrom (public, internal or both): whose prompts reach the unapproved canary",
        fieldPath = ".mirrorFrom")
@Getter
@Setter
public class StageSpec {

    @JsonPropertyDescription("shadow, internal, closed or public.")
    @Required
    private StageName name;

    @JsonPropertyDescription(
            "Minimum time in the stage (shadow, internal, closed), once all gates pass. Default 10m for shadow and internal, 30m for closed. The shadow stage also needs its safety gate's live evidence (minLiveSamples) before it passes.")
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

    @JsonPropertyDescription(
            "Shadow stage only: percent of the live requests of the mirrorFrom audiences that the HTTPRoute mirrors to the canary (Gateway API RequestMirror with percent). Users still get only stable's answers. Default 10.")
    @Min(1)
    @Max(100)
    private Integer mirrorPercent;

    @JsonPropertyDescription(
            "Shadow stage only, and required there: whose live requests are mirrored: public, internal or both. Their prompts reach a model no one has approved yet (docs/runbook.md, Shadow stage), so the choice is stated, never defaulted.")
    @Size(min = 1, max = 2)
    @ValidationRule(
            value = "self.all(a, self.exists_one(b, b == a))",
            message = "mirrorFrom must not repeat an audience")
    private List<MirrorSource> mirrorFrom;

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

    public StageSpec withMirrorPercent(Integer mirrorPercent) {
        this.mirrorPercent = mirrorPercent;
        return this;
    }

    public StageSpec withMirrorFrom(List<MirrorSource> mirrorFrom) {
        this.mirrorFrom = mirrorFrom;
        return this;
    }

    public StageSpec withStepDuration(String stepDuration) {
        this.stepDuration = stepDuration;
        return this;
    }
}
