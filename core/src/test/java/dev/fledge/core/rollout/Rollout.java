package dev.fledge.core.rollout;

import dev.fledge.api.status.ModelReleaseStatus;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;

/** Test driver: feeds the engine observations while a test clock moves, keeping every decision. */
final class Rollout {
    Plan plan;
    ModelReleaseStatus status = new ModelReleaseStatus();
    Instant now = Instant.parse("2026-11-28T12:00:00Z");
    final List<Decision> decisions = new ArrayList<>();
    private final RolloutEngine engine = new RolloutEngine();

    Rollout(Plan plan) {
        this.plan = plan;
    }

    static Plan plan(String version, List<GatePlan> gates) {
        return new Plan(
                version,
                List.of(
                        new StagePlan(Stage.INTERNAL, Duration.ofMinutes(10), List.of(), Duration.ZERO),
                        new StagePlan(Stage.CLOSED, Duration.ofMinutes(30), List.of(), Duration.ZERO),
                        new StagePlan(Stage.PUBLIC, Duration.ZERO, List.of(5, 25, 50, 100), Duration.ofMinutes(10))),
                Duration.ofMinutes(1),
                Duration.ofHours(24),
                false,
                2,
                gates);
    }

    static Plan plan(String version) {
        return plan(version, List.of());
    }

    Decision step(Observation obs) {
        Decision d = engine.decide(plan, status, obs, now);
        status = d.status();
        decisions.add(d);
        return d;
    }

    Decision ready() {
        return step(Observation.of(true, true));
    }

    Decision after(Duration d, Observation obs) {
        now = now.plus(d);
        return step(obs);
    }

    Decision after(Duration d) {
        return after(d, Observation.of(true, true));
    }

    Rollout promotedAt(String version) {
        Plan wanted = plan;
        plan = new Plan(version, wanted.stages(), wanted.interval(), Duration.ofDays(30), false, 2, List.of());
        step(Observation.of(true, true));
        while (status.getCanaryVersion() != null) {
            after(Duration.ofMinutes(31));
        }
        plan = wanted;
        return this;
    }

    List<String> eventReasons() {
        return decisions.stream()
                .flatMap(d -> d.events().stream())
                .map(e -> e.reason().name())
                .toList();
    }
}
