package dev.fledge.core.rollout;

import java.time.Duration;
import java.util.List;
import java.util.Optional;

/** A ModelRelease spec with every default applied: what the engine needs, nothing it does not. */
public record Plan(String version, List<StagePlan> stages, Duration interval, Duration progressDeadline,
        boolean paused, int replicas, List<GatePlan> gates) {

    /** Gates that must pass before {@code stage} (or the current public step) ends. */
    public List<GatePlan> gatesFor(Stage stage) {
        return gates.stream().filter(g -> g.appliesTo(stage)).toList();
    }

    public Optional<StagePlan> stage(Stage stage) {
        return stages.stream().filter(s -> s.stage() == stage).findFirst();
    }

    /** The stage after {@code stage}; preflight is followed by the first configured stage. */
    public Optional<StagePlan> after(Stage stage) {
        if (stage == Stage.PREFLIGHT) {
            return stages.stream().findFirst();
        }
        for (int i = 0; i < stages.size() - 1; i++) {
            if (stages.get(i).stage() == stage) {
                return Optional.of(stages.get(i + 1));
            }
        }
        return Optional.empty();
    }
}
