package dev.fledge.core.rollout;

import dev.fledge.api.status.ServingStatus;
import java.time.Duration;
import java.util.List;
import java.util.Optional;

/**
 * A ModelRelease spec with every default applied: what the engine needs, nothing it does not.
 *
 * @param serving the spec's serving configuration with the operator's defaults (what a canary of this spec runs),
 *     recorded as {@code status.stable} at promotion; null when unknown (the engine then compares versions only)
 */
public record Plan(
        String version,
        List<StagePlan> stages,
        Duration interval,
        Duration progressDeadline,
        boolean paused,
        int replicas,
        List<GatePlan> gates,
        ServingStatus serving) {

    /** A plan whose serving configuration is not known. */
    public Plan(
            String version,
            List<StagePlan> stages,
            Duration interval,
            Duration progressDeadline,
            boolean paused,
            int replicas,
            List<GatePlan> gates) {
        this(version, stages, interval, progressDeadline, paused, replicas, gates, null);
    }

    /** This plan with {@code replicas} as the release's size (under autoscaling: {@link AutoscaledFloor#whole}). */
    public Plan withReplicas(int replicas) {
        return new Plan(version, stages, interval, progressDeadline, paused, replicas, gates, serving);
    }

    /** This plan with the serving configuration the operator derived from the same spec. */
    public Plan withServing(ServingStatus serving) {
        return new Plan(version, stages, interval, progressDeadline, paused, replicas, gates, serving);
    }

    /** Hash of the serving configuration, or null when it is not known. */
    public String configHash() {
        return serving == null ? null : serving.getConfigHash();
    }

    /** Gates that must pass before {@code stage} (or the current public step) ends. */
    public List<GatePlan> gatesFor(Stage stage) {
        return gates.stream().filter(g -> g.appliesTo(stage)).toList();
    }

    public Optional<StagePlan> stage(Stage stage) {
        return stages.stream().filter(s -> s.stage() == stage).findFirst();
    }

    /**
     * The first configured stage after {@code stage} in the canonical order (internal, closed, public); preflight is
     * followed by the first configured stage. {@code stage} need not be configured any more: a stage removed from
     * {@code spec.stages} mid-rollout is followed by the next one still listed, so a spec edit never skips a gate.
     */
    public Optional<StagePlan> after(Stage stage) {
        return stages.stream()
                .filter(s -> s.stage().compareTo(stage) > 0)
                .min((a, b) -> a.stage().compareTo(b.stage()));
    }

    /** The least time the configured stages take: their minimum durations plus every public step's duration. */
    public Duration minimumTime(String stableVersion) {
        return stages.stream()
                .map(s -> s.isPublic()
                        ? s.stepDuration()
                                .multipliedBy(s.stepsFor(stableVersion).size())
                        : s.minDuration())
                .reduce(Duration.ZERO, Duration::plus);
    }
}
