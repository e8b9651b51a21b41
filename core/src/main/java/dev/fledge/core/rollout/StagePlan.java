package dev.fledge.core.rollout;

import java.time.Duration;
import java.util.List;

/**
 * One resolved stage: {@code preflight}, {@code internal}, {@code closed} or {@code public}. Audience stages hold
 * for {@code minDuration}; the public stage walks {@code steps}, holding each for {@code stepDuration}.
 */
public record StagePlan(Stage stage, Duration minDuration, List<Integer> steps, Duration stepDuration) {

    public boolean isPublic() {
        return stage == Stage.PUBLIC;
    }

    /** The public weight steps in force: a first release (no stable version) has nothing to split with, so 100. */
    public List<Integer> stepsFor(String stableVersion) {
        return stableVersion == null ? List.of(100) : steps;
    }
}
