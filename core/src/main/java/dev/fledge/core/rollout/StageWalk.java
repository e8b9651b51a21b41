package dev.fledge.core.rollout;

import dev.fledge.api.status.ModelReleaseStatus;
import dev.fledge.api.status.Phase;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.Optional;

/**
 * Moves a rollout through its stages: start from preflight, enter a stage, walk the public steps, go on to the
 * next stage or to promoting, finish the promotion, clear the canary. Which move to make is {@link Transition}'s.
 */
final class StageWalk {
    private final Plan plan;
    private final ModelReleaseStatus st;
    private final Instant now;
    private final Outcome out;
    private final StageHistory history;
    /**
     * Whether this pass began a wait for the split ({@link #splitInPlace} does nothing then). One walk per pass
     * ({@link Transition}).
     */
    private boolean waitBeganThisPass;

    StageWalk(Plan plan, Instant now, Outcome out, StageHistory history) {
        this.plan = plan;
        this.st = out.st;
        this.now = now;
        this.out = out;
        this.history = history;
    }

    /** The current stage, or null outside a rollout. */
    Stage current() {
        return Stage.fromWire(st.getStage());
    }

    void startRollout() {
        String from = st.getStableVersion();
        st.setCanaryVersion(plan.version());
        st.setCanaryConfigHash(plan.configHash());
        st.setRolloutStartedAt(now.toString());
        PauseClock.start(plan, st, now);
        st.setGates(new ArrayList<>());
        st.setLastAnalysisAt(null);
        enter(Stage.PREFLIGHT);
        out.phase(Phase.PROGRESSING, ConditionReason.WaitingForCanary, Messages.starting(plan.version()));
        out.event(EventReason.RolloutStarted, Messages.started(plan.version(), from));
        Duration least = plan.minimumTime(from);
        if (least.compareTo(plan.progressDeadline()) > 0) {
            out.event(EventReason.StagesExceedDeadline, Messages.stagesExceedDeadline(least, plan.progressDeadline()));
        }
    }

    /** Whether the current stage (or public step) has been held for its minimum time since {@code start}. */
    boolean heldLongEnough(Instant start) {
        Duration hold = plan.stage(current()).map(StagePlan::hold).orElse(Duration.ZERO);
        return Duration.between(start, now).compareTo(hold) >= 0;
    }

    /**
     * The current stage's or public step's split is in place (the canary ready; every route accepted and as written;
     * in a public step, no route held below its weight): a stage or step that was waiting for it starts now (a public
     * step's {@code stepStartedAt}, any other stage's {@code stageStartedAt}). A stage or step starts waiting when it is
     * entered, since the pass that decides it has not moved any traffic yet: a Gateway programs a route a moment later,
     * or refuses it. One that has started is not started again by a later dip (a canary pod that goes unready holds
     * it, {@code WaitingForCanary}, and keeps its time; so does a route that is no longer accepted). Not in the pass
     * that began the wait (a {@code skip-stage}, a resume after {@code Invalid}): the route conditions that pass reads
     * describe the routes written before it, so a pass that writes this stage's routes must come first.
     */
    void splitInPlace() {
        if (st.getStepWaitingSince() != null && removedStage()) {
            st.setStepWaitingSince(null); // no time of its own left to start: it waits for its gates only
            return;
        }
        if (st.getStepWaitingSince() == null || !routedStage() || waitBeganThisPass) {
            return;
        }
        if (inPublicStage()) {
            st.setStepStartedAt(now.toString());
        } else {
            st.setStageStartedAt(now.toString());
        }
        st.setStepWaitingSince(null);
    }

    /** The current stage (not public) starts again from now once its routes are in place: traffic is about to move. */
    void stageWaits() {
        st.setStageStartedAt(now.toString());
        waits();
    }

    /**
     * Whether the current stage routes users' requests (or mirrors of them) to the canary, and so waits for its routes:
     * shadow, internal, closed and public; not preflight (no user sees the canary) or promoting.
     */
    boolean routedStage() {
        Stage stage = current();
        return stage != null
                && stage != Stage.PREFLIGHT
                && stage != Stage.PROMOTING
                && plan.stage(stage).isPresent();
    }

    /** Whether the current stage is a routed one that {@code spec.stages} no longer lists (removed mid-rollout). */
    private boolean removedStage() {
        Stage stage = current();
        return stage != null
                && stage != Stage.PREFLIGHT
                && stage != Stage.PROMOTING
                && plan.stage(stage).isEmpty();
    }

    /** The current public step starts (again) from now once its split is in place: traffic is about to move. */
    void publicStepWaits() {
        st.setStepStartedAt(now.toString());
        waits();
    }

    private void waits() {
        st.setStepWaitingSince(now.toString());
        waitBeganThisPass = true;
    }

    /** Whether the current stage is the public one (its steps). */
    boolean inPublicStage() {
        return plan.stage(current()).filter(StagePlan::isPublic).isPresent();
    }

    /** Start of the current stage, or of the current public step. */
    Instant periodStart() {
        Optional<StagePlan> sp = plan.stage(current());
        return Instant.parse(sp.isPresent() && sp.get().isPublic() ? st.getStepStartedAt() : st.getStageStartedAt());
    }

    /** The next public step, or else the next stage (or promoting). */
    void advance(String result, String why) {
        Optional<StagePlan> sp = plan.stage(current());
        if (sp.isPresent()
                && sp.get().isPublic()
                && st.getStep() + 1 < steps(sp.get()).size()) {
            int next = st.getStep() + 1;
            st.setStep(next);
            publicStepWaits();
            st.setCanaryWeight(steps(sp.get()).get(next));
            out.event(
                    EventReason.StepAdvanced,
                    Messages.stepAdvanced(
                            st.getCanaryWeight(), next + 1, steps(sp.get()).size()));
            return;
        }
        nextStage(result, why);
    }

    void nextStage(String result, String why) {
        history.closeCurrent(result, why);
        Optional<StagePlan> next = plan.after(current());
        if (next.isPresent() && next.get().stage() == Stage.SHADOW && st.getStableVersion() == null) {
            // a first release: no stable version serves users, so there are no requests to mirror
            next = plan.after(Stage.SHADOW);
        }
        if (next.isPresent()) {
            enter(next.get().stage());
        } else {
            enterPromoting();
        }
    }

    void enterPromoting() {
        st.setStage(Stage.PROMOTING.wireName());
        st.setMirrorPercent(null);
        st.setMirrorFrom(null);
        st.setStageStartedAt(now.toString());
        st.setStepStartedAt(null);
        st.setStepWaitingSince(null);
        out.phase(Phase.PROGRESSING, ConditionReason.Promoting, Messages.promoting(st.getCanaryVersion()));
        out.event(EventReason.Promoting, Messages.stableTaking(st.getCanaryVersion()));
    }

    /** The stable Deployment runs the canary's version and is ready: it is the stable version now. */
    void finishPromotion() {
        String version = st.getCanaryVersion();
        history.promoted(version);
        st.setStableVersion(version);
        if (plan.serving() != null) {
            st.setStable(plan.serving()); // the spec's, which is the canary's: any difference restarted the rollout
        }
        clearCanary();
        out.phase(Phase.PROMOTED, ConditionReason.Promoted, Messages.servesAllTraffic(version));
        out.event(EventReason.Promoted, Messages.promoted(version));
    }

    void clearCanary() {
        st.setCanaryVersion(null);
        st.setCanaryConfigHash(null);
        st.setStage(null);
        st.setStep(null);
        st.setCanaryWeight(0);
        st.setMirrorPercent(null);
        st.setMirrorFrom(null);
        st.setStageStartedAt(null);
        st.setStepStartedAt(null);
        st.setStepWaitingSince(null);
        st.setRolloutStartedAt(null);
        st.setPause(null);
    }

    private void enter(Stage stage) {
        st.setStage(stage.wireName());
        st.setStageStartedAt(now.toString());
        st.setStep(null);
        st.setStepStartedAt(null);
        st.setStepWaitingSince(null);
        st.setCanaryWeight(0);
        st.setMirrorPercent(null);
        st.setMirrorFrom(null);
        if (st.getGates() != null) {
            st.getGates().forEach(g -> g.setFailures(0)); // failureLimit counts the failures of one stage
        }
        Optional<StagePlan> sp = plan.stage(stage);
        if (sp.isPresent() && sp.get().isPublic()) {
            st.setStep(0);
            publicStepWaits();
            st.setCanaryWeight(steps(sp.get()).get(0));
        } else if (sp.isPresent() && stage != Stage.PREFLIGHT) {
            waits(); // its time counts once its routes carry the audience
        }
        if (stage == Stage.SHADOW && sp.isPresent()) {
            st.setMirrorPercent(sp.get().mirrorPercent());
            st.setMirrorFrom(List.copyOf(sp.get().mirrorFrom()));
        }
        history.entered(stage, st.getCanaryVersion());
        if (stage != Stage.PREFLIGHT) {
            out.event(
                    EventReason.StageStarted,
                    Messages.stageStarted(stage, st.getCanaryVersion(), st.getStep(), st.getCanaryWeight()));
        }
    }

    private List<Integer> steps(StagePlan publicStage) {
        return publicStage.stepsFor(st.getStableVersion());
    }
}
