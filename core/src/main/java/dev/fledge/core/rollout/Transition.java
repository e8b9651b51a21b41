package dev.fledge.core.rollout;

import dev.fledge.api.status.GateResult;
import dev.fledge.api.status.ModelReleaseStatus;
import dev.fledge.api.status.Phase;
import dev.fledge.api.status.StageRecord;
import dev.fledge.api.status.Verdict;

import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.Objects;
import java.util.Optional;
import java.util.stream.Collectors;

/**
 * One step of the state machine (DESIGN §4). Rules, in the order they are applied:
 * <ol>
 * <li>spec version equal to stable: nothing to roll out (a running rollout is cancelled);</li>
 * <li>spec version equal to the rolled-back version: stay rolled back unless {@code retry} is asked for;</li>
 * <li>spec version different from the canary: start (or restart) the rollout from preflight;</li>
 * <li>manual actions: {@code abort}, {@code promote}, {@code skip-stage};</li>
 * <li>promotion finishes when the stable Deployment runs the new version and is ready;</li>
 * <li>{@code progressDeadline} rolls back (not counted while paused);</li>
 * <li>gate verdicts: a critical failure rolls back at once, a gate that reached its failureLimit rolls back;</li>
 * <li>{@code paused} holds everything else;</li>
 * <li>no stage starts before the canary is ready;</li>
 * <li>a stage (or public step) ends when its minimum time has passed and every gate passed since it began;
 * Inconclusive holds it.</li>
 * </ol>
 */
final class Transition {
    private final Plan plan;
    private final ModelReleaseStatus st;
    private final Observation obs;
    private final Instant now;
    private final List<RolloutEvent> events = new ArrayList<>();
    private ConditionReason reason;

    Transition(Plan plan, ModelReleaseStatus status, Observation observation, Instant now) {
        this.plan = plan;
        this.st = status;
        this.obs = observation;
        this.now = now;
    }

    Decision run() {
        Phase before = st.getPhase();
        obs.unknownAction().ifPresent(raw -> events.add(new RolloutEvent(EventReason.UnknownAction,
                "ignored fledge.dev/action=" + raw + "; use promote, abort, retry or skip-stage")));
        step();
        if (before == Phase.PAUSED && st.getPhase() == Phase.PROGRESSING) {
            events.add(new RolloutEvent(EventReason.Resumed, "rollout of " + st.getCanaryVersion() + " resumed in stage " + st.getStage()));
        } else if (before != Phase.PAUSED && st.getPhase() == Phase.PAUSED) {
            events.add(new RolloutEvent(EventReason.Paused, st.getMessage()));
        }
        st.setLastGate(summary());
        Decision.PhaseChange change = before == st.getPhase() ? null
                : new Decision.PhaseChange(before == null ? "None" : before.wireName(), st.getPhase().wireName());
        return new Decision(st, Splits.of(st), List.copyOf(events), obs.hasAction(),
                Schedule.requeue(plan, st, now), reason == null ? reasonFromStatus() : reason, change);
    }

    private void step() {
        Optional<ManualAction> action = obs.action();
        boolean inRollout = st.getCanaryVersion() != null;

        if (plan.version().equals(st.getStableVersion())) {
            if (inRollout) {
                closeStage("Superseded", "spec.model.version is back to the stable " + plan.version());
                events.add(new RolloutEvent(EventReason.RolloutCancelled, "rollout of " + st.getCanaryVersion()
                        + " cancelled: spec.model.version is back to " + plan.version()));
                clearCanary();
            }
            action.ifPresent(a -> ignored(a, "no rollout is running"));
            setPhase(Phase.PROMOTED, ConditionReason.Promoted, plan.version() + " serves all traffic");
            return;
        }
        if (!inRollout && plan.version().equals(st.getRolledBackVersion())) {
            if (action.equals(Optional.of(ManualAction.RETRY))) {
                events.add(new RolloutEvent(EventReason.RetryRequested, "retrying " + plan.version()));
                st.setRolledBackVersion(null);
                startRollout();
                return;
            }
            action.ifPresent(a -> ignored(a, plan.version() + " was rolled back; use retry to roll it out again"));
            return;
        }
        if (!plan.version().equals(st.getCanaryVersion())) {
            if (inRollout) {
                closeStage("Superseded", "superseded by " + plan.version());
                events.add(new RolloutEvent(EventReason.RolloutRestarted, "rollout of " + st.getCanaryVersion()
                        + " superseded by " + plan.version() + "; restarting from preflight"));
            }
            startRollout();
        }
        if (action.isPresent() && applyAction(action.get())) {
            return;
        }
        if (stage() == Stage.PROMOTING) {
            promoting();
            return;
        }
        if (!plan.paused() && elapsed(st.getRolloutStartedAt()).compareTo(plan.progressDeadline()) > 0) {
            rollback(EventReason.ProgressDeadlineExceeded, "progressDeadline " + plan.progressDeadline() + " exceeded in stage " + st.getStage());
            return;
        }
        if (recordVerdicts()) {
            return;
        }
        if (plan.paused()) {
            setPhase(Phase.PAUSED, ConditionReason.Paused, "paused in stage " + st.getStage() + " (spec.paused)");
            return;
        }
        if (!obs.canaryReady()) {
            setPhase(Phase.PROGRESSING, ConditionReason.WaitingForCanary,
                    "waiting for the canary Deployment to run " + st.getCanaryVersion() + " and be ready");
            return;
        }
        setPhase(Phase.PROGRESSING, ConditionReason.RolloutInProgress, progressMessage());
        if (stageComplete()) {
            advance("Passed", "all gates passed");
        }
    }

    /** Returns true when the action ended this step. */
    private boolean applyAction(ManualAction action) {
        st.setLastAction(action.value() + " at " + now);
        switch (action) {
            case ABORT -> {
                if (stage() == Stage.PROMOTING) {
                    // the stable Deployment already runs the new version; the old one's URI is no longer known here
                    ignored(action, "promotion of " + st.getCanaryVersion() + " is under way; set spec.model.version back to "
                            + st.getStableVersion() + " to roll back");
                    return false;
                }
                rollback(EventReason.Aborted, "abort requested through the fledge.dev/action annotation");
                return true;
            }
            case PROMOTE -> {
                if (stage() != Stage.PROMOTING) {
                    events.add(new RolloutEvent(EventReason.PromoteRequested, "manual promote of " + st.getCanaryVersion()
                            + " from stage " + st.getStage() + "; remaining stages skipped"));
                    closeStage("Skipped", "manual promote");
                    enterPromoting();
                }
                return false;
            }
            case SKIP_STAGE -> {
                if (stage() != Stage.PROMOTING) {
                    events.add(new RolloutEvent(EventReason.StageSkipped, "stage " + st.getStage() + " skipped by request"));
                    skipStage();
                }
                return false;
            }
            default -> {
                ignored(action, "the rollout of " + st.getCanaryVersion() + " has not failed");
                return false;
            }
        }
    }

    private void ignored(ManualAction action, String why) {
        events.add(new RolloutEvent(EventReason.ActionIgnored, "ignored fledge.dev/action=" + action.value() + ": " + why));
    }

    private void startRollout() {
        String from = st.getStableVersion();
        st.setCanaryVersion(plan.version());
        st.setRolloutStartedAt(now.toString());
        st.setGates(new ArrayList<>());
        st.setLastAnalysisAt(null);
        enter(Stage.PREFLIGHT);
        setPhase(Phase.PROGRESSING, ConditionReason.WaitingForCanary, "starting rollout of " + plan.version());
        events.add(new RolloutEvent(EventReason.RolloutStarted, "rolling out " + plan.version()
                + (from == null ? " (first release, no stable version yet)" : " (stable " + from + ")")));
    }

    private void enter(Stage stage) {
        st.setStage(stage.wireName());
        st.setStageStartedAt(now.toString());
        st.setStep(null);
        st.setStepStartedAt(null);
        st.setCanaryWeight(0);
        Optional<StagePlan> sp = plan.stage(stage);
        if (sp.isPresent() && sp.get().isPublic()) {
            st.setStep(0);
            st.setStepStartedAt(now.toString());
            st.setCanaryWeight(steps(sp.get()).get(0));
        }
        history().add(new StageRecord().withStage(stage.wireName()).withVersion(st.getCanaryVersion()).withEnteredAt(now.toString()));
        trimHistory();
        if (stage != Stage.PREFLIGHT) {
            events.add(new RolloutEvent(EventReason.StageStarted, "stage " + stage + " started for " + st.getCanaryVersion()
                    + (st.getStep() != null ? " at public weight " + st.getCanaryWeight() + "%" : "")));
        }
    }

    private void advance(String result, String why) {
        Optional<StagePlan> sp = plan.stage(stage());
        if (sp.isPresent() && sp.get().isPublic() && st.getStep() + 1 < steps(sp.get()).size()) {
            int next = st.getStep() + 1;
            st.setStep(next);
            st.setStepStartedAt(now.toString());
            st.setCanaryWeight(steps(sp.get()).get(next));
            events.add(new RolloutEvent(EventReason.StepAdvanced, "public weight " + st.getCanaryWeight() + "% (step "
                    + (next + 1) + " of " + steps(sp.get()).size() + ")"));
            return;
        }
        nextStage(result, why);
    }

    private void skipStage() {
        nextStage("Skipped", "skipped by request");
    }

    private void nextStage(String result, String why) {
        closeStage(result, why);
        Optional<StagePlan> next = plan.after(stage());
        if (next.isPresent()) {
            enter(next.get().stage());
        } else {
            enterPromoting();
        }
    }

    private void enterPromoting() {
        st.setStage(Stage.PROMOTING.wireName());
        st.setStageStartedAt(now.toString());
        st.setStepStartedAt(null);
        setPhase(Phase.PROGRESSING, ConditionReason.Promoting, "promoting " + st.getCanaryVersion() + " to stable");
        events.add(new RolloutEvent(EventReason.Promoting, "stable Deployment is taking " + st.getCanaryVersion()));
    }

    private void promoting() {
        if (!obs.stableReady()) {
            setPhase(Phase.PROGRESSING, ConditionReason.Promoting, "waiting for the stable Deployment to run "
                    + st.getCanaryVersion() + " and be ready");
            return;
        }
        String version = st.getCanaryVersion();
        history().add(new StageRecord().withStage("promoted").withVersion(version).withEnteredAt(now.toString())
                .withLeftAt(now.toString()).withResult("Promoted"));
        trimHistory();
        st.setStableVersion(version);
        clearCanary();
        setPhase(Phase.PROMOTED, ConditionReason.Promoted, version + " serves all traffic");
        events.add(new RolloutEvent(EventReason.Promoted, version + " promoted to stable"));
    }

    private void rollback(EventReason eventReason, String message) {
        ConditionReason why = switch (eventReason) {
            case Aborted -> ConditionReason.Aborted;
            case CriticalGateFailed -> ConditionReason.CriticalGateFailed;
            case ProgressDeadlineExceeded -> ConditionReason.ProgressDeadlineExceeded;
            default -> ConditionReason.GateFailed;
        };
        closeStage(why == ConditionReason.Aborted ? "Aborted" : "Failed", message);
        String failed = st.getCanaryVersion();
        st.setRolledBackVersion(failed);
        clearCanary();
        boolean noStable = st.getStableVersion() == null;
        setPhase(noStable ? Phase.FAILED : Phase.ROLLED_BACK, noStable ? ConditionReason.FirstReleaseRolledBack : why,
                "rolled back " + failed + ": " + message);
        events.add(new RolloutEvent(eventReason, "rolled back " + failed
                + (noStable ? " (no stable version: nothing serves public traffic)" : " to " + st.getStableVersion())
                + ": " + message));
    }

    private void clearCanary() {
        st.setCanaryVersion(null);
        st.setStage(null);
        st.setStep(null);
        st.setCanaryWeight(0);
        st.setStageStartedAt(null);
        st.setStepStartedAt(null);
        st.setRolloutStartedAt(null);
    }

    /** Records this round's verdicts; returns true when they rolled the release back. */
    private boolean recordVerdicts() {
        if (obs.verdicts().isEmpty()) {
            return false;
        }
        st.setLastAnalysisAt(now.toString());
        for (GateVerdict v : obs.verdicts()) {
            GateResult r = gate(v.name());
            int failures = (r.getFailures() == null ? 0 : r.getFailures()) + (v.verdict() == Verdict.FAIL ? 1 : 0);
            r.withKind(v.kind()).withVerdict(v.verdict()).withCritical(v.critical() ? true : null).withReason(v.reason())
                    .withValue(v.value()).withSamples(v.samples()).withFlagged(v.flagged())
                    .withPosteriorMean(v.posteriorMean()).withUpperBound(v.upperBound()).withPAboveMax(v.pAboveMax())
                    .withSuite(GateDetailsStatus.suite(v.suite())).withCategories(GateDetailsStatus.categories(v.categories()))
                    .withReport(v.report()).withFailures(failures).withAt(now.toString());
        }
        for (GateVerdict v : obs.verdicts()) {
            if (v.verdict() == Verdict.FAIL && v.critical()) {
                rollback(EventReason.CriticalGateFailed, "gate " + v.name()
                        + " failed critically: " + v.reason() + evidence(v));
                return true;
            }
        }
        for (GateVerdict v : obs.verdicts()) {
            GateResult r = gate(v.name());
            int limit = plan.gates().stream().filter(g -> g.name().equals(v.name())).mapToInt(GatePlan::failureLimit)
                    .findFirst().orElse(1);
            if (v.verdict() == Verdict.FAIL && r.getFailures() >= limit) {
                rollback(EventReason.GateFailed, "gate " + v.name() + " failed " + r.getFailures()
                        + " of failureLimit " + limit + ": " + v.reason() + evidence(v));
                return true;
            }
        }
        return false;
    }

    private static String evidence(GateVerdict v) {
        List<String> parts = new ArrayList<>();
        if (v.value() != null) {
            parts.add("value=" + v.value());
        }
        if (v.samples() != null) {
            parts.add("samples=" + v.samples());
        }
        if (v.flagged() != null) {
            parts.add("flagged=" + v.flagged());
        }
        if (v.pAboveMax() != null) {
            parts.add(String.format("P(rate>max)=%.4f", v.pAboveMax()));
        }
        return parts.isEmpty() ? "" : " (" + String.join(", ", parts) + ")";
    }

    private boolean stageComplete() {
        Stage stage = stage();
        Optional<StagePlan> sp = plan.stage(stage);
        Instant start = Instant.parse(sp.isPresent() && sp.get().isPublic() ? st.getStepStartedAt() : st.getStageStartedAt());
        Duration hold = sp.map(p -> p.isPublic() ? p.stepDuration() : p.minDuration()).orElse(Duration.ZERO);
        if (Duration.between(start, now).compareTo(hold) < 0) {
            return false;
        }
        return plan.gatesFor(stage).stream().allMatch(g -> {
            GateResult r = findGate(g.name());
            return r != null && r.getVerdict() == Verdict.PASS && Instant.parse(r.getAt()).isAfter(start);
        });
    }

    private List<Integer> steps(StagePlan publicStage) {
        return publicStage.stepsFor(st.getStableVersion());
    }

    private void closeStage(String result, String why) {
        if (st.getStage() == null || stage() == Stage.PROMOTING) {
            return;
        }
        for (int i = history().size() - 1; i >= 0; i--) {
            StageRecord r = history().get(i);
            if (r.getStage().equals(st.getStage()) && r.getLeftAt() == null) {
                r.withLeftAt(now.toString()).withResult(result).withReason(why);
                return;
            }
        }
    }

    private void setPhase(Phase phase, ConditionReason why, String message) {
        st.setPhase(phase);
        st.setMessage(message);
        reason = why;
    }

    private String progressMessage() {
        Stage stage = stage();
        List<GatePlan> gates = plan.gatesFor(stage);
        String pending = gates.stream().map(GatePlan::name).filter(n -> {
            GateResult r = findGate(n);
            return r == null || r.getVerdict() != Verdict.PASS;
        }).collect(Collectors.joining(", "));
        return "stage " + stage + (st.getStep() != null ? " at " + st.getCanaryWeight() + "%" : "")
                + (pending.isEmpty() ? "" : "; waiting for gates: " + pending);
    }

    private String summary() {
        if (st.getGates() == null || st.getGates().isEmpty()) {
            return null;
        }
        return st.getGates().stream().map(g -> g.getName() + "=" + g.getVerdict().wireName())
                .collect(Collectors.joining(" "));
    }

    private ConditionReason reasonFromStatus() {
        return switch (Objects.requireNonNullElse(st.getPhase(), Phase.PENDING)) {
            case PROMOTED -> ConditionReason.Promoted;
            case PAUSED -> ConditionReason.Paused;
            case INVALID -> ConditionReason.InvalidSpec;
            case ROLLED_BACK, FAILED -> Conditions.degradedReason(st).orElse(ConditionReason.GateFailed);
            default -> st.getStableVersion() == null && st.getCanaryVersion() == null ? ConditionReason.NoRelease
                    : ConditionReason.RolloutInProgress;
        };
    }

    /** The current stage, or null outside a rollout. */
    private Stage stage() {
        return Stage.fromWire(st.getStage());
    }

    private GateResult gate(String name) {
        GateResult r = findGate(name);
        if (r == null) {
            r = new GateResult().withName(name);
            if (st.getGates() == null) {
                st.setGates(new ArrayList<>());
            }
            st.getGates().add(r);
        }
        return r;
    }

    private GateResult findGate(String name) {
        return st.getGates() == null ? null
                : st.getGates().stream().filter(g -> name.equals(g.getName())).findFirst().orElse(null);
    }

    private List<StageRecord> history() {
        if (st.getHistory() == null) {
            st.setHistory(new ArrayList<>());
        }
        return st.getHistory();
    }

    private void trimHistory() {
        while (history().size() > RolloutEngine.HISTORY_LIMIT) {
            history().remove(0);
        }
    }

    private Duration elapsed(String since) {
        return since == null ? Duration.ZERO : Duration.between(Instant.parse(since), now);
    }
}
