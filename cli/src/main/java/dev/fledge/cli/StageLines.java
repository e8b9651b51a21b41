package dev.fledge.cli;

import dev.fledge.api.status.ModelReleaseStatus;
import dev.fledge.api.status.Phase;
import dev.fledge.api.status.StageRecord;
import dev.fledge.core.rollout.Plan;
import dev.fledge.core.rollout.Stage;
import dev.fledge.core.rollout.StagePlan;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import java.util.Optional;
import java.util.stream.Collectors;

/** The Stages branch: preflight, the configured stages and the public steps, each with its state. */
final class StageLines {
    private final Plan plan;
    private final ModelReleaseStatus st;
    private final RolloutRecords rollout;
    private final Instant now;
    private final Style style;

    StageLines(Plan plan, ModelReleaseStatus st, Instant now, Style style) {
        this.plan = plan;
        this.st = st;
        this.rollout = RolloutRecords.of(st);
        this.now = now;
        this.style = style;
    }

    Tree tree() {
        Tree stages = new Tree("Stages" + (rollout.version() == null ? "" : " (" + rollout.version() + ")"));
        List<StagePlan> all = new ArrayList<>();
        all.add(new StagePlan(Stage.PREFLIGHT, Duration.ZERO, List.of(), Duration.ZERO));
        all.addAll(plan.stages());
        Table rows = new Table("", "", "");
        List<Tree> children = new ArrayList<>();
        Stage current = Stage.fromWire(st.getStage());
        for (StagePlan sp : all) {
            String[] row = row(sp);
            rows.row(row);
            children.add(sp.isPublic() && current == Stage.PUBLIC ? steps(sp) : null);
        }
        if (current == Stage.PROMOTING) {
            rows.row(
                    marker("current") + " promoting",
                    style.active("current"),
                    "stable Deployment is taking " + st.getCanaryVersion());
            children.add(null);
        }
        List<String> lines = rows.render().lines().skip(1).toList();
        for (int i = 0; i < lines.size(); i++) {
            Tree node = children.get(i) == null
                    ? new Tree(lines.get(i))
                    : children.get(i).relabel(lines.get(i));
            stages.add(node);
        }
        return stages;
    }

    private String[] row(StagePlan sp) {
        Optional<StageRecord> rec = rollout.last(sp.stage());
        String state;
        String detail;
        if (rec.isPresent() && rec.get().getLeftAt() == null && sp.stage() == Stage.fromWire(st.getStage())) {
            state = "current";
            detail = sp.isPublic()
                    ? "step " + (step() + 1) + " of " + steps(sp.stage()).size()
                    // the engine starts a stage once its routes carry its audience (Transition)
                    : st.getStepWaitingSince() != null && sp.stage() != Stage.PREFLIGHT
                            ? "not started: waiting for the canary to be ready and its routes to carry its audience"
                            : held(
                                    Instant.parse(
                                            st.getStageStartedAt() != null
                                                    ? st.getStageStartedAt()
                                                    : rec.get().getEnteredAt()),
                                    sp.minDuration());
        } else if (rec.isPresent() && rec.get().getLeftAt() != null) {
            state = switch (String.valueOf(rec.get().getResult())) {
                case "Passed" -> "done";
                case "Skipped" -> "skipped";
                case "Failed" -> "failed";
                case "Aborted" -> "aborted";
                case "Superseded" -> "superseded";
                default -> String.valueOf(rec.get().getResult()).toLowerCase(Locale.ROOT);
            };
            detail = "took "
                    + Durations.exact(Duration.between(
                            Instant.parse(rec.get().getEnteredAt()),
                            Instant.parse(rec.get().getLeftAt())));
        } else if (st.getCanaryVersion() != null) {
            state = "pending";
            detail = plannedLength(sp);
        } else if (st.getPhase() == Phase.PROMOTED && rollout.version() != null) {
            state = "skipped";
            detail = "";
        } else {
            state = rollout.version() == null ? "-" : "not reached";
            detail = rollout.version() == null ? plannedLength(sp) : "";
        }
        return new String[] {marker(state) + " " + sp.stage().wireName(), colour(state), detail};
    }

    private String plannedLength(StagePlan sp) {
        if (sp.isPublic()) {
            return steps(sp.stage()).stream().map(w -> w + "%").collect(Collectors.joining(" → ")) + ", "
                    + Durations.exact(sp.stepDuration()) + " each";
        }
        return sp.stage() == Stage.PREFLIGHT ? "" : "at least " + Durations.exact(sp.minDuration());
    }

    private Tree steps(StagePlan sp) {
        Table rows = new Table("", "", "");
        List<Integer> steps = steps(sp.stage());
        for (int i = 0; i < steps.size(); i++) {
            String state = i < step() ? "done" : i == step() ? "current" : "pending";
            String detail = i != step()
                    ? ""
                    // the engine starts a step once its split is in place (canary ready, route carrying it)
                    : st.getStepWaitingSince() != null
                            ? "not started: waiting for its split to be in place"
                            : st.getStepStartedAt() != null
                                    ? held(Instant.parse(st.getStepStartedAt()), sp.stepDuration())
                                    : "";
            rows.row(marker(state) + " " + steps.get(i) + "%", colour(state), detail);
        }
        Tree node = new Tree("");
        rows.render().lines().skip(1).forEach(node::add);
        return node;
    }

    private String held(Instant since, Duration min) {
        return Durations.exact(Duration.between(since, now)) + " of at least " + Durations.exact(min);
    }

    private int step() {
        return st.getStep() == null ? 0 : st.getStep();
    }

    private List<Integer> steps(Stage stage) {
        return plan.stage(stage).map(p -> p.stepsFor(st.getStableVersion())).orElse(List.of());
    }

    private static String marker(String state) {
        return switch (state) {
            case "done" -> "✓";
            case "current" -> "▶";
            case "failed", "aborted" -> "✗";
            case "skipped", "superseded" -> "↷";
            default -> "○";
        };
    }

    private String colour(String state) {
        return switch (state) {
            case "done" -> style.good(state);
            case "current" -> style.active(state);
            case "failed", "aborted" -> style.bad(state);
            case "skipped", "superseded" -> style.warn(state);
            default -> style.dim(state);
        };
    }
}
