package dev.fledge.operator.gates.safety;

import dev.fledge.api.status.GateResult;
import dev.fledge.api.status.ModelReleaseStatus;
import dev.fledge.api.status.SuiteRunStatus;
import dev.fledge.core.rollout.GateVerdict;
import dev.fledge.operator.gates.GateContext;
import java.time.Instant;
import java.util.Objects;
import java.util.function.Supplier;

/**
 * When the safety suite runs: once in every stage, and again while the suite evidence of the rollout cannot decide
 * (the rule says Inconclusive); never while a run is under way. The runs themselves go to the {@link SuiteExecutor},
 * off the reconcile thread. The stage's runs are recorded in {@code status.gates[].suiteRun}: a later reconcile
 * finds its run by the id built from it, and a restarted operator, which no longer knows the run, starts it again.
 * The id names the rollout attempt too, so that a new attempt of the same version never reads an earlier one's run.
 */
final class SuiteRounds {
    static final String RUNNING = "Running";
    /** Ends {@code countedRun} when that run ended incomplete ({@link #incomplete}). */
    static final String INCOMPLETE = " (incomplete)";

    private final SuiteExecutor executor;

    SuiteRounds(SuiteExecutor executor) {
        this.executor = executor;
    }

    /** What the gate does with the suite in this evaluation. */
    sealed interface Round {
        GateVerdict.SuiteRun state();
    }

    /** A run is queued or under way: no suite evidence yet in this stage. */
    record Pending(GateVerdict.SuiteRun state, String note) implements Round {}

    /**
     * A run ended: count it, once: {@code runId} names it and {@code status.gates[].suiteRun.countedRun} holds the
     * last counted id; {@code counted} says this run's evidence is in the status tallies already.
     */
    record Fresh(SuiteResults results, String runId, boolean counted, GateVerdict.SuiteRun state) implements Round {}

    /**
     * The executor stopped the run (it took longer than {@code fledge.safety.max-suite-duration}): no evidence; the
     * run is recorded, so that the next analysis asks for a new run, which queues behind the waiting ones.
     */
    record Stopped(GateVerdict.SuiteRun state, String reason) implements Round {}

    /** This stage's runs are counted and the evidence suffices: no new run. */
    record Counted(GateVerdict.SuiteRun state) implements Round {}

    Round next(GateContext ctx, String gate, PromptSuite suite, boolean evidenceSuffices, Supplier<SuiteResults> work) {
        String stage = ctx.stage() == null ? null : ctx.stage().wireName();
        String version = ctx.canaryVersion();
        SuiteRunStatus prev = previous(ctx.release().getStatus(), gate);
        boolean sameStage = prev != null
                && Objects.equals(prev.getVersion(), version)
                && Objects.equals(prev.getStage(), stage)
                && Objects.equals(prev.getSuiteHash(), suite.hash());
        int runs = sameStage && prev.getRuns() != null ? prev.getRuns() : 0;
        String countedRun = prev == null ? null : prev.getCountedRun();
        boolean wasRunning = sameStage && RUNNING.equals(prev.getState());
        var meta = ctx.release().getMetadata();
        String release = meta.getNamespace() + "/" + meta.getName();
        if (countedRun != null) {
            executor.counted(release, countedRun); // the status holds its evidence: the executor need not
        }
        if (!wasRunning && runs > 0 && evidenceSuffices && complete(countedRun)) {
            return new Counted(new GateVerdict.SuiteRun(false, version, stage, suite.hash(), runs, null, countedRun));
        }
        String runId = release + "/" + meta.getUid() + "@" + version + "/"
                + attempt(ctx.release().getStatus()) + "/" + stage + "/" + suite.hash() + "#" + (runs + 1);
        SuiteExecutor.Progress p = executor.request(new SuiteExecutor.Job(meta.getNamespace(), release, runId, work));
        String what = "suite " + suite.name() + "@" + suite.hash() + ": run " + (runs + 1) + " of stage " + stage;
        if (p instanceof SuiteExecutor.Done d) {
            boolean counted = runId.equals(countedRun);
            return new Fresh(
                    d.results(),
                    runId,
                    counted,
                    new GateVerdict.SuiteRun(false, version, stage, suite.hash(), runs + 1, null, runId));
        }
        if (p instanceof SuiteExecutor.Stopped s) {
            return new Stopped(
                    new GateVerdict.SuiteRun(false, version, stage, suite.hash(), runs + 1, null, runId),
                    what + ": " + s.reason());
        }
        Instant queuedAt = p instanceof SuiteExecutor.Running r ? r.queuedAt() : ((SuiteExecutor.Queued) p).since();
        String where = p instanceof SuiteExecutor.Running r
                ? " running since " + r.since()
                : " queued since " + queuedAt + " (waiting for a free suite slot)";
        return new Pending(
                new GateVerdict.SuiteRun(true, version, stage, suite.hash(), runs, queuedAt.toString(), countedRun),
                what + where + again(wasRunning ? prev : null, queuedAt));
    }

    /**
     * The state of a run that ended incomplete (stopped, or some prompts not run or judged): it is recorded as a run of
     * the stage (its id taken, so it is not handed out as new again), but it does not settle the stage: the next
     * analysis runs the suite again, even if the rollout's earlier evidence suffices.
     */
    static GateVerdict.SuiteRun incomplete(GateVerdict.SuiteRun state) {
        return state.countedRun() == null || !complete(state.countedRun())
                ? state
                : new GateVerdict.SuiteRun(
                        state.running(),
                        state.version(),
                        state.stage(),
                        state.suiteHash(),
                        state.runs(),
                        state.startedAt(),
                        state.countedRun() + INCOMPLETE);
    }

    private static boolean complete(String countedRun) {
        return countedRun == null || !countedRun.endsWith(INCOMPLETE);
    }

    /**
     * Which rollout of the version the run belongs to: its start ({@code status.rolloutStartedAt}), which {@code retry}
     * and a new version set anew and a restart keeps. Without it, run 1 of preflight after a {@code retry} would have
     * the id of the earlier attempt's run 1, and the executor would hand out that attempt's result.
     */
    private static String attempt(ModelReleaseStatus st) {
        return st == null || st.getRolloutStartedAt() == null ? "-" : st.getRolloutStartedAt();
    }

    /** The status says a run was under way since before this one was queued: the operator lost it and restarted it. */
    private static String again(SuiteRunStatus running, Instant queuedAt) {
        return running != null
                        && running.getStartedAt() != null
                        && Instant.parse(running.getStartedAt()).isBefore(queuedAt)
                ? " (started again: the run of " + running.getStartedAt() + " was lost, e.g. by an operator restart)"
                : "";
    }

    /** The suite runs {@code gate}'s status records, as a verdict carries them; null when it records none. */
    static GateVerdict.SuiteRun recorded(ModelReleaseStatus st, String gate) {
        SuiteRunStatus r = previous(st, gate);
        if (r == null) {
            return null;
        }
        return new GateVerdict.SuiteRun(
                RUNNING.equals(r.getState()),
                r.getVersion(),
                r.getStage(),
                r.getSuiteHash(),
                r.getRuns() == null ? 0 : r.getRuns(),
                r.getStartedAt(),
                r.getCountedRun());
    }

    static GateResult previousResult(ModelReleaseStatus st, String gate) {
        if (st == null || st.getGates() == null) {
            return null;
        }
        return st.getGates().stream()
                .filter(g -> gate.equals(g.getName()))
                .findFirst()
                .orElse(null);
    }

    private static SuiteRunStatus previous(ModelReleaseStatus st, String gate) {
        GateResult r = previousResult(st, gate);
        return r == null ? null : r.getSuiteRun();
    }
}
