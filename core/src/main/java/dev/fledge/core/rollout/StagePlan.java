package dev.fledge.core.rollout;

import java.time.Duration;
import java.util.List;

/**
 * One resolved stage: {@code preflight}, {@code shadow}, {@code internal}, {@code closed} or {@code public}. Audience
 * stages hold for {@code minDuration}; the public stage walks {@code steps}, holding each for {@code stepDuration}. The
 * shadow stage also holds for {@code minDuration}, while the route mirrors {@code mirrorPercent} of the live requests
 * of {@code mirrorFrom} (audience names) to the canary.
 */
public record StagePlan(
        Stage stage,
        Duration minDuration,
        List<Integer> steps,
        Duration stepDuration,
        int mirrorPercent,
        List<String> mirrorFrom) {

    public StagePlan {
        steps = List.copyOf(steps);
        mirrorFrom = List.copyOf(mirrorFrom);
    }

    /** A stage that mirrors nothing (every stage but shadow). */
    public StagePlan(Stage stage, Duration minDuration, List<Integer> steps, Duration stepDuration) {
        this(stage, minDuration, steps, stepDuration, 0, List.of());
    }

    public boolean isPublic() {
        return stage == Stage.PUBLIC;
    }

    /** How long the stage, or each of its public steps, is held at least: {@code stepDuration} or {@code minDuration}. */
    public Duration hold() {
        return isPublic() ? stepDuration : minDuration;
    }

    /** The public weight steps in force: a first release (no stable version) has nothing to split with, so 100. */
    public List<Integer> stepsFor(String stableVersion) {
        return stableVersion == null ? List.of(100) : steps;
    }
}
