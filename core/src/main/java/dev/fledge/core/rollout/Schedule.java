package dev.fledge.core.rollout;

import dev.fledge.api.status.GateResult;
import dev.fledge.api.status.ModelReleaseStatus;
import dev.fledge.api.status.Verdict;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.List;
import java.util.Optional;

/** When gates are due and when the operator should look again; pure functions of plan, status and time. */
public final class Schedule {
    static final Duration MIN_REQUEUE = Duration.ofMillis(500);
    static final Duration SOON = Duration.ofMillis(50);
    static final Duration PROMOTING_POLL = Duration.ofSeconds(5);

    private Schedule() {}

    /**
     * Gates run in a rollout stage (not while promoting) when none ran since the stage or step began, or every interval;
     * not in a pass that moves the stage on at its hold's end on the verdicts that stood then ({@link #movesOnAtHoldEnd}),
     * and, while the stage waits for its routes ({@link #waitingForRoutes}), only an interval after the last one.
     */
    public static boolean analysisDue(Plan plan, ModelReleaseStatus st, Instant now) {
        if (!gatesRun(plan, st)) {
            return false;
        }
        if (waitingForRoutes(st)) {
            return waitedAnInterval(plan, st, now);
        }
        if (st.getLastAnalysisAt() == null) {
            return true;
        }
        Instant last = Instant.parse(st.getLastAnalysisAt());
        if (!last.isAfter(periodStart(plan, st))) {
            return true;
        }
        return !movesOnAtHoldEnd(plan, st, now) && !now.isBefore(last.plus(plan.interval()));
    }

    /**
     * Whether the stage (or step) has not started yet because the stored status says its routes wait for the Gateway
     * (or are not as written). Its time has not begun, so no verdict of the wait is one its hold can end on; the pass
     * that finds the routes accepted starts it ({@link RoutesAccepted}) after its own readings.
     */
    private static boolean waitingForRoutes(ModelReleaseStatus st) {
        return st.getStepWaitingSince() != null && Conditions.routesPending(st);
    }

    /**
     * In a wait for the routes, analyses keep the interval from the last one (from the wait's start when none ran in the
     * rollout yet): the canary stays read every interval across the stage change, under the split a slow Gateway
     * still serves, and a failed reading there counts (a critical gate rolls back, others count towards the stage's
     * failureLimit). What the wait drops is the reading at once that a stage's entry asks for: the pass that finds the
     * routes accepted starts the stage after its own readings, so none of them could be the stage's first. (Once the
     * stage has started, a pass that an event brings before its next look reads at once: it has no reading of its own.)
     */
    private static boolean waitedAnInterval(Plan plan, ModelReleaseStatus st, Instant now) {
        Instant from =
                Instant.parse(st.getLastAnalysisAt() != null ? st.getLastAnalysisAt() : st.getStepWaitingSince());
        return !now.isBefore(from.plus(plan.interval()));
    }

    /**
     * Whether a pass runs the gates: when an analysis is due; or, {@code woken} by evidence that arrived off the reconcile
     * thread (a suite run that ended, a slow answer), whenever the stage's gates run, so that evidence is weighed at
     * once and never passed over for the verdicts that stood at a hold's end ({@link #movesOnAtHoldEnd}).
     */
    public static boolean gatesDue(Plan plan, ModelReleaseStatus st, Instant now, boolean woken) {
        return woken ? gatesRun(plan, st) : analysisDue(plan, st, now);
    }

    /**
     * Whether the rollout is in a stage whose gates run (a rollout stage of the planned version with gates, not
     * promoting).
     */
    static boolean gatesRun(Plan plan, ModelReleaseStatus st) {
        Stage stage = Stage.fromWire(st.getStage());
        return st.getCanaryVersion() != null
                && stage != null // none, or unknown: the engine restarts the rollout first
                && stage != Stage.PROMOTING
                && plan.version().equals(st.getCanaryVersion())
                && !plan.gatesFor(stage).isEmpty();
    }

    /**
     * Whether this pass is to move the stage or step on without a new analysis: its hold ended less than an interval
     * ago, and every gate of the stage passed within the last interval before that end. These are the verdicts the
     * stage would have moved on with had the pass come at the hold's end, before the next analysis fell due; a pass
     * that the reconcile queue held back a moment is not made to ask Prometheus again and wait for its answer (a second
     * pass, a second queue), which under load was most of a stage change's wait. A verdict it moves on with is at most
     * two intervals old. Not where the stage would not move on in this pass anyway (paused, its routes or capacity
     * holding it, still waiting for its split), and not before promoting: the last step analyses again, so the
     * promotion rests on a verdict of its end. A pass later than that (the operator was down, a long queue) analyses
     * first too.
     */
    static boolean movesOnAtHoldEnd(Plan plan, ModelReleaseStatus st, Instant now) {
        Stage stage = Stage.fromWire(st.getStage());
        Optional<StagePlan> sp = plan.stage(stage);
        if (sp.isEmpty()
                || plan.paused()
                || st.getStepWaitingSince() != null
                || (sp.get().isPublic() && st.getCanaryHeldWeight() != null)
                || Conditions.routesPending(st)
                || promotesNext(plan, st, sp.get())) {
            return false;
        }
        Instant start = periodStart(plan, st);
        Instant holdEnd = start.plus(sp.get().hold());
        if (now.isBefore(holdEnd) || !now.isBefore(holdEnd.plus(plan.interval()))) {
            return false;
        }
        Instant current = holdEnd.minus(plan.interval());
        return plan.gatesFor(stage).stream()
                .allMatch(g -> verdict(st, g.name())
                        .filter(r -> r.getVerdict() == Verdict.PASS && r.getAt() != null)
                        .map(r -> Instant.parse(r.getAt()))
                        .filter(at -> at.isAfter(start) && !at.isBefore(current))
                        .isPresent());
    }

    /** Whether the rollout goes on to promoting when the current stage (its last public step) ends. */
    private static boolean promotesNext(Plan plan, ModelReleaseStatus st, StagePlan sp) {
        if (plan.after(sp.stage()).isPresent()) {
            return false;
        }
        return !sp.isPublic()
                || st.getStep() == null
                || st.getStep() + 1 >= sp.stepsFor(st.getStableVersion()).size();
    }

    private static Optional<GateResult> verdict(ModelReleaseStatus st, String gate) {
        return st.getGates() == null
                ? Optional.empty()
                : st.getGates().stream().filter(g -> gate.equals(g.getName())).findFirst();
    }

    /** Start of the current stage, or of the current public step. */
    public static Instant periodStart(Plan plan, ModelReleaseStatus st) {
        boolean isPublic = plan.stage(Stage.fromWire(st.getStage()))
                .map(StagePlan::isPublic)
                .orElse(false);
        return Instant.parse(
                isPublic && st.getStepStartedAt() != null ? st.getStepStartedAt() : st.getStageStartedAt());
    }

    /**
     * When the running rollout's progressDeadline expires, if the operator is to act on it: a rollout is under way
     * and not paused. Empty otherwise. Time spent paused moves the deadline on ({@link PauseClock}).
     */
    public static Optional<Instant> deadline(Plan plan, ModelReleaseStatus st) {
        return plan.paused() ? Optional.empty() : PauseClock.deadline(plan, st);
    }

    static Duration requeue(Plan plan, ModelReleaseStatus st, Instant now) {
        if (st.getCanaryVersion() == null || st.getStage() == null) {
            return null;
        }
        Stage stage = Stage.fromWire(st.getStage());
        if (stage == Stage.PROMOTING) {
            return PROMOTING_POLL;
        }
        List<Duration> candidates = new ArrayList<>();
        Instant start = periodStart(plan, st);
        Optional<StagePlan> sp = plan.stage(stage);
        Duration hold = sp.map(StagePlan::hold).orElse(Duration.ZERO);
        candidates.add(Duration.between(now, start.plus(hold)));
        if (!plan.gatesFor(stage).isEmpty()) {
            candidates.add(
                    st.getLastAnalysisAt() == null
                            ? Duration.ZERO
                            : Duration.between(
                                    now, Instant.parse(st.getLastAnalysisAt()).plus(plan.interval())));
        }
        deadline(plan, st)
                .ifPresent(d -> candidates.add(Duration.between(now, d).plusMillis(1)));
        candidates.add(plan.interval());
        // a wake-up that is close is kept, not dropped: skipping a hold that ends in 300 ms for the next analysis
        // delayed stage changes by up to an interval (bench-operator's verdict-to-route p99)
        return candidates.stream()
                .filter(d -> d.compareTo(Duration.ZERO) > 0)
                .map(d -> d.compareTo(SOON) < 0 ? SOON : d)
                .min(Comparator.naturalOrder())
                .orElse(MIN_REQUEUE);
    }
}
