package dev.fledge.cli;

import dev.fledge.api.status.ModelReleaseStatus;
import dev.fledge.api.status.Phase;
import dev.fledge.api.status.Verdict;
import dev.fledge.core.rollout.GatePlan;
import dev.fledge.core.rollout.Plan;
import dev.fledge.core.rollout.Schedule;
import dev.fledge.core.rollout.Stage;
import dev.fledge.core.rollout.StagePlan;
import java.time.Duration;
import java.time.Instant;
import java.util.List;
import java.util.Optional;

/**
 * What moves the rollout on next, and when: the stage (or public step) ends once its minimum time from
 * {@link Schedule#periodStart} has passed and every gate of the stage passed since it began (the operator's rule;
 * see Transition). The operator decides; this only reads the same status and plan.
 */
final class NextStep {
    private final Plan plan;
    private final ModelReleaseStatus st;
    private final Instant now;

    NextStep(Plan plan, ModelReleaseStatus st, Instant now) {
        this.plan = plan;
        this.st = st;
        this.now = now;
    }

    /** The Next line, or empty when no rollout is running. */
    Optional<String> line(String name) {
        if (st.getCanaryVersion() == null || st.getStage() == null) {
            if (st.getPhase() == Phase.ROLLED_BACK || st.getPhase() == Phase.FAILED) {
                return Optional.of("nothing until spec.model.version changes or `kubectl fledge retry " + name + "`");
            }
            return Optional.empty();
        }
        Stage stage = Stage.fromWire(st.getStage());
        if (stage == Stage.PROMOTING) {
            return Optional.of(
                    "promotion ends when the stable Deployment runs " + st.getCanaryVersion() + " and is ready");
        }
        if (st.getPhase() == Phase.PAUSED || plan.paused()) {
            return Optional.of("nothing while paused (spec.paused); `kubectl fledge resume " + name + "` to go on");
        }
        String target = target();
        Instant start = Schedule.periodStart(plan, st);
        Duration hold = plan.stage(stage).map(StagePlan::hold).orElse(Duration.ZERO);
        if (plan.stage(stage).map(StagePlan::isPublic).orElse(false) && st.getStepWaitingSince() != null) {
            // the operator starts a step once its split is in place (Transition): its time has not begun
            return Optional.of(target + " " + Durations.exact(hold) + " after this step's split is in place (the canary"
                    + " ready, the routes carrying " + st.getCanaryWeight() + "%)");
        }
        if (plan.stage(stage).isPresent() && stage != Stage.PREFLIGHT && st.getStepWaitingSince() != null) {
            // and a stage once its routes carry its audience
            return Optional.of(target + " " + Durations.exact(hold) + " after this stage's routes carry its audience"
                    + " (every route accepted by its Gateway)");
        }
        Duration left = Duration.between(now, start.plus(hold));
        List<String> waiting = plan.gatesFor(stage).stream()
                .map(GatePlan::name)
                .filter(g -> !passedSince(g, start))
                .toList();
        String gates =
                waiting.isEmpty() ? "" : String.join(", ", waiting) + (waiting.size() == 1 ? " passes" : " pass");
        if (left.toMillis() > 0) {
            return Optional.of(target + " in " + Durations.exact(left.plusMillis(999))
                    + (gates.isEmpty() ? "" : ", once " + gates));
        }
        return Optional.of(target + (gates.isEmpty() ? " at the operator's next reconcile" : " once " + gates));
    }

    private String target() {
        Stage stage = Stage.fromWire(st.getStage());
        Optional<StagePlan> sp = plan.stage(stage);
        if (sp.isPresent() && sp.get().isPublic()) {
            List<Integer> steps = sp.get().stepsFor(st.getStableVersion());
            int step = st.getStep() == null ? 0 : st.getStep();
            if (step + 1 < steps.size()) {
                return "public " + steps.get(step + 1) + "% (step " + (step + 2) + " of " + steps.size() + ")";
            }
        }
        return plan.after(stage).map(next -> "stage " + next.stage().wireName()).orElse("promotion to stable");
    }

    private boolean passedSince(String gate, Instant start) {
        if (st.getGates() == null) {
            return false;
        }
        return st.getGates().stream()
                .filter(r -> gate.equals(r.getName()))
                .findFirst()
                .filter(r -> r.getVerdict() == Verdict.PASS
                        && r.getAt() != null
                        && Instant.parse(r.getAt()).isAfter(start))
                .isPresent();
    }

    /** Time left before progressDeadline rolls the release back, if a rollout is running and not paused. */
    Optional<Duration> deadline() {
        if (st.getRolloutStartedAt() == null || plan.paused()) {
            return Optional.empty();
        }
        return Optional.of(
                Duration.between(now, Instant.parse(st.getRolloutStartedAt()).plus(plan.progressDeadline())));
    }
}
