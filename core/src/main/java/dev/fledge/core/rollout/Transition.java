package dev.fledge.core.rollout;

import dev.fledge.api.status.ModelReleaseStatus;
import dev.fledge.api.status.Phase;
import java.time.Duration;
import java.time.Instant;
import java.util.List;
import java.util.Optional;
import java.util.function.Predicate;

/**
 * One step of the state machine (DESIGN §4): the {@link #RULES}, applied in order until one decides. Gate bookkeeping
 * is {@link GateLedger}'s, stage moves {@link StageWalk}'s, history {@link StageHistory}'s, wording {@link Messages}'.
 */
final class Transition {
    /** A rule as docs/architecture.md states it, and the step that applies it (true: it decided, stop here). */
    record Rule(String doc, Predicate<Transition> decides) {}

    /** The rules in the order they apply; docs/architecture.md lists the same (RuleListMatchesTheDocsTest). */
    static final List<Rule> RULES = List.of(
            new Rule(
                    "`spec.model.version` and the serving configuration equal the stable ones"
                            + " (`status.stableVersion`, `status.stable`): nothing to roll out; a running rollout is"
                            + " cancelled (`RolloutCancelled`), phase `Promoted`.",
                    Transition::atStableVersion),
            new Rule(
                    "`spec.model.version` and the serving configuration equal the rolled-back ones"
                            + " (`status.rolledBackVersion`, `status.rolledBackConfigHash`): stay rolled back, unless the"
                            + " action is `retry`.",
                    Transition::atRolledBackVersion),
            new Rule(
                    "`spec.model.version` or the serving configuration differs from the canary's"
                            + " (`status.canaryVersion`, `status.canaryConfigHash`): start (or restart) the rollout from"
                            + " `preflight`; if promotion was under way, the stable Deployment goes back to"
                            + " `status.stable`.",
                    Transition::startsOnNewVersion),
            new Rule(
                    "Manual actions: `abort` rolls back, while `promoting` too (the stable Deployment goes back to"
                            + " `status.stable`; a first release has no stable and ignores it); `promote` jumps to"
                            + " `promoting`; `skip-stage` ends the current stage; `promote` and `skip-stage` are ignored"
                            + " while the canary is not ready. A pass that enters `promoting` ends there: whether stable"
                            + " has taken the new version is judged from the next pass's observation.",
                    Transition::appliesAction),
            new Rule(
                    "In `promoting`: finish once the stable Deployment runs the new version and is ready; if it is"
                            + " not, `progressDeadline` after promotion began, say so (`PromotionStalled`: condition"
                            + " `Degraded`, a Warning event) and keep serving as promoting does.",
                    Transition::promotes),
            new Rule(
                    "`progressDeadline` passed (not enforced while paused; time spent paused does not count, see"
                            + " `status.pause`): roll back.",
                    Transition::deadlinePassed),
            new Rule(
                    "Gate verdicts: a critical failure rolls back at once; a gate whose `failures` reached its"
                            + " `failureLimit` rolls back.",
                    Transition::gatesFailed),
            new Rule("`spec.paused`: hold everything else (phase `Paused`).", Transition::paused),
            new Rule(
                    "No stage moves before the canary Deployment is ready (`WaitingForCanary`).",
                    Transition::canaryNotReady),
            new Rule(
                    "In a stage that sends users' requests or mirrors of them to the canary (shadow, internal,"
                            + " closed, public), a route not accepted by its Gateway or not as written (conditions"
                            + " `RouteNotAccepted`, `RouteNotApplied`) holds it; in a public step, so does the route"
                            + " holding the canary below the step's weight until its pods are ready"
                            + " (`status.canaryHeldWeight`, canary capacity): the stage or step does not move.",
                    Transition::splitNotInPlace),
            new Rule(
                    "A stage or public step waiting for its split (`status.stepWaitingSince`, set when it is"
                            + " entered) starts now that its split is in place: `status.stageStartedAt` (a public step:"
                            + " `status.stepStartedAt`) is set, and its time counts from there. A stage (or public step) ends when its minimum time has passed **and** every gate of that stage"
                            + " gave `Pass` since it began. `Inconclusive` holds it. A stage removed from `spec.stages` mid-rollout has no"
                            + " minimum time left; once its gates pass, the rollout moves to the next stage still listed after it"
                            + " (order internal, closed, public), never past the public steps.",
                    Transition::stageEnds));

    private final Plan plan;
    private final ModelReleaseStatus st;
    private final Observation obs;
    private final Instant now;
    private final Outcome out;
    private final GateLedger ledger;
    private final StageHistory history;
    private final StageWalk walk;
    private final boolean inRollout;

    Transition(Plan plan, ModelReleaseStatus status, Observation observation, Instant now) {
        this.plan = plan;
        this.st = status;
        this.obs = observation;
        this.now = now;
        this.out = new Outcome(status);
        this.ledger = new GateLedger(status, plan, now);
        this.history = new StageHistory(status, now);
        this.walk = new StageWalk(plan, now, out, history);
        this.inRollout = status.getCanaryVersion() != null;
    }

    Decision run() {
        Phase before = st.getPhase();
        ActionRecord.read(st, obs, now);
        obs.unknownAction().ifPresent(raw -> out.event(EventReason.UnknownAction, Messages.unknownAction(raw)));
        PauseClock.track(plan, st, now);
        if (inRollout && st.getStage() != null && walk.current() == null) {
            // a status.stage this operator does not know (written by another version, or by hand): no gate of it can
            // be trusted to have passed, so the rollout starts again from preflight
            out.event(EventReason.UnknownStage, Messages.unknownStage(st.getStage(), st.getCanaryVersion()));
            walk.startRollout();
        }
        if (inRollout
                && obs.canaryTemplateChanged()
                && Stage.gatedWithUsers(walk.current())
                && st.getStableVersion() != null) {
            // the operator now builds the canary's pods otherwise: users reach only a template whose gates passed, so
            // they go back to stable and the new template starts again from preflight (a first release has no stable
            // to send them to: its canary keeps its template, see Handover)
            history.closeCurrent("Superseded", Messages.canaryTemplateChanged());
            out.event(EventReason.RolloutRestarted, Messages.restartedForTemplate(st.getCanaryVersion()));
            walk.startRollout();
        }
        if (before == Phase.INVALID
                && Splits.heldAtStable(st)
                && ServingIdentity.of(plan).matches(st.getCanaryVersion(), st.getCanaryConfigHash())) {
            resumeAfterInvalid();
        }
        for (Rule rule : RULES) {
            if (rule.decides().test(this)) {
                break;
            }
        }
        if (before == Phase.PAUSED && st.getPhase() == Phase.PROGRESSING) {
            out.event(EventReason.Resumed, Messages.resumed(st.getCanaryVersion(), st.getStage()));
        } else if (before != Phase.PAUSED && st.getPhase() == Phase.PAUSED) {
            out.event(EventReason.Paused, st.getMessage());
        }
        st.setLastGate(ledger.summary());
        Decision.PhaseChange change = before == st.getPhase()
                ? null
                : new Decision.PhaseChange(
                        before == null ? "None" : before.wireName(),
                        st.getPhase().wireName());
        return new Decision(
                st,
                Splits.of(st),
                List.copyOf(out.events),
                obs.hasAction(),
                Schedule.requeue(plan, st, now),
                out.reason == null ? Conditions.reasonOf(st) : out.reason,
                change);
    }

    /**
     * The spec cannot be rolled out (the observation's errors): phase {@code Invalid}, and a Warning event when that is
     * news. No gate runs and nothing moves forward. A rollout in flight stops its deadline clock as a pause does
     * ({@link PauseClock#hold}); in a stage with users, every audience goes back to stable ({@link Splits#heldAtStable})
     * until the spec is valid again. An {@code abort} still rolls back; any other action is recorded as ignored.
     */
    Decision invalid() {
        Phase before = st.getPhase();
        String previous = st.getMessage();
        ActionRecord.read(st, obs, now);
        obs.unknownAction().ifPresent(raw -> out.event(EventReason.UnknownAction, Messages.unknownAction(raw)));
        obs.action().ifPresent(a -> {
            st.setLastAction(a.value() + " at " + now);
            if (a != ManualAction.ABORT) {
                ignored(a, Messages.specInvalid());
            } else if (!inRollout) {
                ignored(a, Messages.noRolloutRunning());
            } else if (promotingWithNoStableToGoBackTo()) {
                ignored(a, Messages.promotionUnderWay(st.getCanaryVersion(), st.getStableVersion()));
            } else {
                rollback(EventReason.Aborted, Messages.abortRequested());
            }
        });
        PauseClock.hold(st, now);
        st.setPhase(Phase.INVALID);
        String message = String.join("; ", obs.specErrors());
        if (Splits.heldAtStable(st)) {
            message = message + "; " + Messages.heldAtStable(st.getStage());
        }
        st.setMessage(message);
        if (before != Phase.INVALID || !message.equals(previous)) {
            out.event(EventReason.InvalidSpec, message);
        }
        Decision.PhaseChange change = before == Phase.INVALID
                ? null
                : new Decision.PhaseChange(before == null ? "None" : before.wireName(), Phase.INVALID.wireName());
        return new Decision(
                st, Splits.of(st), List.copyOf(out.events), obs.hasAction(), null, ConditionReason.InvalidSpec, change);
    }

    /**
     * The spec is valid again after an {@code Invalid} spell that sent every audience back to stable: the current stage
     * (public: the current step) starts again, so traffic returns at the weight the last passed gates allowed and this
     * stage's minimum time and gates count from now.
     */
    private void resumeAfterInvalid() {
        Optional<StagePlan> sp = plan.stage(walk.current());
        if (sp.isPresent() && sp.get().isPublic()) {
            walk.publicStepWaits(); // traffic comes back from stable to the step's weight
        } else if (walk.routedStage()) {
            walk.stageWaits(); // traffic comes back from stable to the stage's audience
        } else {
            st.setStageStartedAt(now.toString());
        }
        out.event(EventReason.Resumed, Messages.resumedAfterInvalid(st.getCanaryVersion(), st.getStage()));
    }

    private boolean atStableVersion() {
        if (!ServingIdentity.of(plan).matches(st.getStableVersion(), ServingIdentity.stableHash(st))) {
            return false;
        }
        if (st.getStable() == null && plan.serving() != null) {
            // a status from before status.stable: the stable Deployment was built from this spec, record it
            st.setStable(plan.serving());
        }
        if (inRollout) {
            history.closeCurrent("Superseded", Messages.backToStable(plan.version()));
            out.event(EventReason.RolloutCancelled, Messages.cancelled(st.getCanaryVersion(), plan.version()));
            walk.clearCanary();
        }
        obs.action().ifPresent(a -> ignored(a, Messages.noRolloutRunning()));
        out.phase(Phase.PROMOTED, ConditionReason.Promoted, Messages.servesAllTraffic(plan.version()));
        return true;
    }

    private boolean atRolledBackVersion() {
        if (inRollout || !ServingIdentity.of(plan).matches(st.getRolledBackVersion(), st.getRolledBackConfigHash())) {
            return false;
        }
        if (obs.action().equals(Optional.of(ManualAction.RETRY))) {
            out.event(EventReason.RetryRequested, Messages.retrying(plan.version()));
            st.setRolledBackVersion(null);
            st.setRolledBackConfigHash(null);
            walk.startRollout();
            return true;
        }
        obs.action().ifPresent(a -> ignored(a, Messages.rolledBackUseRetry(plan.version())));
        if (st.getPhase() != Phase.ROLLED_BACK && st.getPhase() != Phase.FAILED) {
            // e.g. Invalid, then fixed: the release is rolled back again, and InvalidSpec clears
            boolean noStable = st.getStableVersion() == null;
            out.phase(
                    noStable ? Phase.FAILED : Phase.ROLLED_BACK,
                    noStable ? ConditionReason.FirstReleaseRolledBack : ConditionReason.GateFailed,
                    Messages.rolledBackUseRetry(plan.version()));
        }
        return true;
    }

    private boolean startsOnNewVersion() {
        if (inRollout && plan.version().equals(st.getCanaryVersion()) && st.getCanaryConfigHash() == null) {
            st.setCanaryConfigHash(plan.configHash()); // a rollout started before hashes were recorded
        }
        if (!ServingIdentity.of(plan).matches(st.getCanaryVersion(), st.getCanaryConfigHash())) {
            if (inRollout) {
                String by = Messages.newConfiguration(plan.version(), st.getCanaryVersion());
                history.closeCurrent("Superseded", Messages.supersededBy(by));
                // while promoting, the stable Deployment goes back to status.stable (Splits): nothing half-promoted
                out.event(
                        EventReason.RolloutRestarted,
                        Messages.restarted(
                                st.getCanaryVersion(),
                                by,
                                walk.current() == Stage.PROMOTING ? st.getStableVersion() : null));
            }
            walk.startRollout();
        }
        return false;
    }

    private boolean appliesAction() {
        Optional<ManualAction> action = obs.action();
        if (action.isEmpty()) {
            return false;
        }
        st.setLastAction(action.get().value() + " at " + now);
        boolean promoting = walk.current() == Stage.PROMOTING;
        switch (action.get()) {
            case ABORT -> {
                if (promotingWithNoStableToGoBackTo()) {
                    ignored(
                            ManualAction.ABORT,
                            Messages.promotionUnderWay(st.getCanaryVersion(), st.getStableVersion()));
                    return false;
                }
                rollback(EventReason.Aborted, Messages.abortRequested());
                return true;
            }
            case PROMOTE, SKIP_STAGE -> {
                if (!promoting && !obs.canaryReady()) {
                    ignored(action.get(), Messages.canaryNotReady(st.getCanaryVersion()));
                } else if (!promoting && action.get() == ManualAction.PROMOTE) {
                    out.event(
                            EventReason.PromoteRequested,
                            Messages.promoteRequested(st.getCanaryVersion(), st.getStage()));
                    history.closeCurrent("Skipped", "manual promote");
                    walk.enterPromoting();
                } else if (!promoting) {
                    out.event(EventReason.StageSkipped, Messages.stageSkipped(st.getStage()));
                    walk.nextStage("Skipped", "skipped by request");
                }
            }
            default -> ignored(action.get(), Messages.notFailed(st.getCanaryVersion()));
        }
        // a promote (or a skip past the last stage) that entered promoting ends the pass: this pass's observation of
        // stable is of the version it ran before (always ready), not of the new one it is only now to take
        return !promoting && walk.current() == Stage.PROMOTING;
    }

    /**
     * An abort while promoting puts stable back to {@code status.stable}; a first release has none, and a status
     * written by an older operator may lack it.
     */
    private boolean promotingWithNoStableToGoBackTo() {
        return walk.current() == Stage.PROMOTING && st.getStable() == null;
    }

    private boolean promotes() {
        if (walk.current() != Stage.PROMOTING) {
            return false;
        }
        if (obs.stableReady()) {
            walk.finishPromotion();
        } else if (Duration.between(Instant.parse(st.getStageStartedAt()), now).compareTo(plan.progressDeadline())
                > 0) {
            String stalled = Messages.promotionStalled(plan.progressDeadline(), st.getCanaryVersion());
            if (!stalled.equals(st.getMessage())) {
                out.event(EventReason.PromotionStalled, stalled);
            }
            out.phase(Phase.PROGRESSING, ConditionReason.PromotionStalled, stalled);
        } else {
            out.phase(Phase.PROGRESSING, ConditionReason.Promoting, Messages.waitingForStable(st.getCanaryVersion()));
        }
        return true;
    }

    private boolean deadlinePassed() {
        if (Schedule.deadline(plan, st).filter(now::isAfter).isEmpty()) {
            return false;
        }
        rollback(
                EventReason.ProgressDeadlineExceeded,
                st.getStepWaitingSince() != null && walk.routedStage()
                        ? Messages.deadlineExceededWaitingForRoutes(
                                plan.progressDeadline(),
                                st.getStage(),
                                st.getStepWaitingSince(),
                                Conditions.pendingRoutes(st))
                        : Messages.deadlineExceeded(plan.progressDeadline(), st.getStage()));
        return true;
    }

    private boolean gatesFailed() {
        if (obs.verdicts().isEmpty()) {
            return false;
        }
        ledger.record(obs.verdicts());
        Optional<GateLedger.Failure> failure = ledger.rollbackCause(obs.verdicts());
        failure.ifPresent(f -> rollback(f.reason(), f.message()));
        return failure.isPresent();
    }

    private boolean paused() {
        if (plan.paused()) {
            out.phase(Phase.PAUSED, ConditionReason.Paused, Messages.paused(st.getStage()));
        }
        return plan.paused();
    }

    private boolean canaryNotReady() {
        if (!obs.canaryReady()) {
            out.phase(
                    Phase.PROGRESSING,
                    ConditionReason.WaitingForCanary,
                    Messages.waitingForCanary(st.getCanaryVersion()));
        }
        return !obs.canaryReady();
    }

    private boolean splitNotInPlace() {
        Integer held = walk.inPublicStage() ? st.getCanaryHeldWeight() : null;
        boolean routes = Conditions.routesPending(st);
        if ((held == null && !routes) || !walk.routedStage()) {
            return false;
        }
        out.phase(
                Phase.PROGRESSING,
                ConditionReason.RolloutInProgress,
                held != null
                        ? Messages.capacityHeld(st.getStage(), st.getCanaryWeight(), held)
                        : Messages.routesPending(
                                st.getStage(),
                                walk.inPublicStage() ? st.getCanaryWeight() : null,
                                st.getStepWaitingSince() == null));
        return true;
    }

    private boolean stageEnds() {
        Stage stage = walk.current();
        walk.splitInPlace();
        Instant start = walk.periodStart();
        out.phase(
                Phase.PROGRESSING,
                ConditionReason.RolloutInProgress,
                Messages.progress(st.getStage(), st.getStep(), st.getCanaryWeight(), ledger.pending(stage, start)));
        if (walk.heldLongEnough(start) && ledger.allPassedSince(stage, start)) {
            walk.advance("Passed", "all gates passed");
        }
        return true;
    }

    private void rollback(EventReason cause, String message) {
        ConditionReason why = switch (cause) {
            case Aborted -> ConditionReason.Aborted;
            case CriticalGateFailed -> ConditionReason.CriticalGateFailed;
            case ProgressDeadlineExceeded -> ConditionReason.ProgressDeadlineExceeded;
            default -> ConditionReason.GateFailed;
        };
        history.closeCurrent(why == ConditionReason.Aborted ? "Aborted" : "Failed", message);
        String failed = st.getCanaryVersion();
        st.setRolledBackVersion(failed);
        st.setRolledBackConfigHash(st.getCanaryConfigHash());
        walk.clearCanary();
        boolean noStable = st.getStableVersion() == null;
        out.phase(
                noStable ? Phase.FAILED : Phase.ROLLED_BACK,
                noStable ? ConditionReason.FirstReleaseRolledBack : why,
                Messages.rolledBackStatus(failed, message));
        out.event(cause, Messages.rolledBackEvent(failed, st.getStableVersion(), message));
    }

    private void ignored(ManualAction action, String why) {
        ActionRecord.ignored(st);
        out.event(EventReason.ActionIgnored, Messages.ignored(action, why));
    }
}
