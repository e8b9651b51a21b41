package dev.fledge.operator.gates.safety;

import java.time.Instant;
import java.util.function.Supplier;

/**
 * Runs safety suites off the reconcile thread. A gate asks for a run by its id: the executor queues it the first
 * time, says that it is queued or running while it is, and hands out its result once it is done. A done result stays
 * until the release asks for another run, so a reconcile whose status write failed gets the same result again (the
 * status, not the executor, says whether it was counted). A run the executor does not know (after an operator
 * restart) is simply started again.
 */
public interface SuiteExecutor {

    /**
     * One suite run of one release.
     *
     * @param namespace the tenant: runs are shared out fairly between namespaces
     * @param release   {@code namespace/name}: a release has at most one run; asking for another run drops the old
     * @param runId     names the run: the same id asked again is the same run
     */
    record Job(String namespace, String release, String runId, Supplier<SuiteResults> work) {}

    /** Where a run stands. */
    sealed interface Progress {}

    /** Waiting for a free slot since {@code since}. */
    record Queued(Instant since) implements Progress {}

    /** Under way since {@code since} (it was queued at {@code queuedAt}). */
    record Running(Instant queuedAt, Instant since) implements Progress {}

    /** Done: what the run found. */
    record Done(SuiteResults results) implements Progress {}

    /** Stopped before it ended (it took too long): no evidence; {@code reason} says why. */
    record Stopped(String reason) implements Progress {}

    Progress request(Job job);

    /** The release was deleted: stop or dequeue its run and keep nothing of it. */
    default void forget(String release) {}

    /** The release's status counts run {@code runId}: a finished run of that id need not be kept. */
    default void counted(String release, String runId) {}

    /** Runs each job at once on the caller's thread (unit tests of the verdict logic). */
    static SuiteExecutor direct() {
        return job -> new Done(job.work().get());
    }
}
