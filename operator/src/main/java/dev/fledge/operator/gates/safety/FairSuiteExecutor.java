package dev.fledge.operator.gates.safety;

import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayDeque;
import java.util.ArrayList;
import java.util.Deque;
import java.util.HashMap;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Future;
import java.util.concurrent.LinkedBlockingQueue;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.ScheduledThreadPoolExecutor;
import java.util.concurrent.ThreadPoolExecutor;
import java.util.concurrent.TimeUnit;
import java.util.function.Consumer;
import org.jboss.logging.Logger;

/**
 * The operator's suite executor: at most {@code maxRunning} suite runs at a time operator-wide, at most
 * {@code perNamespace} of them for one namespace, and the free slots handed to the waiting namespaces in turn
 * (round robin), so that a tenant with many releases and slow canaries or judges cannot keep another tenant's suite
 * waiting behind all of its own (issue 15, finding 4). A run that takes longer than {@code maxDuration}
 * ({@code fledge.safety.max-suite-duration}) is stopped: its release is told {@link Stopped}, and its next run is
 * queued anew, behind the namespaces already waiting. When a run ends, {@code onDone} is told the release
 * ({@code namespace/name}), so that it is reconciled at once rather than at its next analysis interval.
 */
public final class FairSuiteExecutor implements SuiteExecutor, AutoCloseable {
    private static final Logger LOG = Logger.getLogger(FairSuiteExecutor.class);
    public static final Duration DEFAULT_MAX_DURATION = Duration.ofMinutes(15);

    private final int maxRunning;
    private final int perNamespace;
    private final Duration maxDuration;
    private final Clock clock;
    private final Consumer<String> onDone;
    private final ExecutorService workers;
    private final ScheduledExecutorService deadlines;
    /** The run of each release: queued, running or done (a done run until it is counted or the release goes). */
    private final Map<String, Entry> runs = new HashMap<>();
    /** Queued runs per namespace, the namespaces in their turn order. */
    private final LinkedHashMap<String, Deque<Entry>> queues = new LinkedHashMap<>();

    private final Map<String, Integer> runningIn = new HashMap<>();
    private int running;

    private static final class Entry {
        final Job job;
        final Instant queuedAt;
        Instant startedAt;
        Future<?> future;
        Future<?> deadline;
        SuiteResults results;
        boolean dropped;
        /** A worker thread took the run up; until then a cancelled run never reaches {@link #finish}. */
        boolean started;
        /** The run counts in {@code running} and {@code runningIn}: set on dispatch, cleared exactly once. */
        boolean holdsSlot;
        /** Why the run was stopped before it ended, or null. */
        String stopped;

        Entry(Job job, Instant queuedAt) {
            this.job = job;
            this.queuedAt = queuedAt;
        }
    }

    public FairSuiteExecutor(int maxRunning, int perNamespace, Clock clock, Consumer<String> onDone) {
        this(maxRunning, perNamespace, DEFAULT_MAX_DURATION, clock, onDone);
    }

    public FairSuiteExecutor(
            int maxRunning, int perNamespace, Duration maxDuration, Clock clock, Consumer<String> onDone) {
        this(maxRunning, perNamespace, maxDuration, clock, onDone, pool(maxRunning), timer());
    }

    /** With the threads given (tests: a pool that starts tasks only when told). */
    FairSuiteExecutor(
            int maxRunning,
            int perNamespace,
            Duration maxDuration,
            Clock clock,
            Consumer<String> onDone,
            ExecutorService workers,
            ScheduledExecutorService deadlines) {
        if (maxRunning < 1 || perNamespace < 1) {
            throw new IllegalArgumentException("suite concurrency must be at least 1, got " + maxRunning + " and "
                    + perNamespace + " per namespace");
        }
        if (maxDuration.isNegative() || maxDuration.isZero()) {
            throw new IllegalArgumentException("fledge.safety.max-suite-duration must be positive, got " + maxDuration);
        }
        this.maxRunning = maxRunning;
        this.perNamespace = Math.min(perNamespace, maxRunning);
        this.maxDuration = maxDuration;
        this.clock = clock;
        this.onDone = onDone;
        this.workers = workers;
        this.deadlines = deadlines;
    }

    private static ExecutorService pool(int maxRunning) {
        ThreadPoolExecutor pool =
                new ThreadPoolExecutor(maxRunning, maxRunning, 1, TimeUnit.MINUTES, new LinkedBlockingQueue<>(), r -> {
                    Thread t = new Thread(r, "fledge-suite-run");
                    t.setDaemon(true);
                    return t;
                });
        pool.allowCoreThreadTimeOut(true); // idle between rollouts: no threads held
        return pool;
    }

    private static ScheduledExecutorService timer() {
        ScheduledThreadPoolExecutor timer = new ScheduledThreadPoolExecutor(1, r -> {
            Thread t = new Thread(r, "fledge-suite-deadline");
            t.setDaemon(true);
            return t;
        });
        timer.setRemoveOnCancelPolicy(true);
        return timer;
    }

    @Override
    public synchronized Progress request(Job job) {
        Entry e = runs.get(job.release());
        if (e != null && !e.job.runId().equals(job.runId())) {
            drop(e); // the release moved on (a new version, stage or suite): its old run is of no use
            e = null;
        }
        if (e == null) {
            e = new Entry(job, clock.instant());
            runs.put(job.release(), e);
            queues.computeIfAbsent(job.namespace(), ns -> new ArrayDeque<>()).add(e);
            dispatch();
        }
        if (e.stopped != null) {
            return new Stopped(e.stopped);
        }
        if (e.results != null) {
            return new Done(e.results);
        }
        return e.startedAt == null ? new Queued(e.queuedAt) : new Running(e.queuedAt, e.startedAt);
    }

    /** The release is gone: its run is stopped (or dequeued), its slot freed, and nothing of it is kept. */
    @Override
    public synchronized void forget(String release) {
        Entry e = runs.get(release);
        if (e != null) {
            drop(e);
            dispatch();
        }
    }

    /** The run ended and its result is counted in the release's status: the executor need not keep it. */
    @Override
    public synchronized void counted(String release, String runId) {
        Entry e = runs.get(release);
        if (e != null && e.job.runId().equals(runId) && (e.results != null || e.stopped != null)) {
            runs.remove(release, e);
        }
    }

    /** Runs queued or under way, for tests and metrics. */
    public synchronized int pending() {
        return (int) runs.values().stream()
                .filter(e -> e.results == null && e.stopped == null)
                .count();
    }

    /** Releases whose run (queued, running or done) the executor holds, for tests. */
    synchronized int held() {
        return runs.size();
    }

    /** Slots taken, for tests. */
    synchronized int running() {
        return running;
    }

    private void drop(Entry e) {
        e.dropped = true;
        runs.remove(e.job.release(), e);
        Deque<Entry> q = queues.get(e.job.namespace());
        if (q != null) {
            q.remove(e);
        }
        cancel(e);
    }

    /**
     * Interrupts the run. A run that no worker took up yet never reaches {@link #finish} once cancelled, so its slot
     * is freed here; a started run frees it when its worker ends.
     */
    private void cancel(Entry e) {
        if (e.deadline != null) {
            e.deadline.cancel(false);
        }
        if (e.future != null) {
            e.future.cancel(true);
        }
        if (!e.started) {
            release(e);
        }
    }

    private void release(Entry e) {
        if (e.holdsSlot) {
            e.holdsSlot = false;
            running--;
            runningIn.merge(e.job.namespace(), -1, Integer::sum);
        }
    }

    /** Starts queued runs while slots are free, one namespace after the other. */
    private void dispatch() {
        while (running < maxRunning) {
            Entry next = nextInTurn();
            if (next == null) {
                return;
            }
            running++;
            runningIn.merge(next.job.namespace(), 1, Integer::sum);
            next.holdsSlot = true;
            next.startedAt = clock.instant();
            next.future = workers.submit(() -> execute(next));
            next.deadline = deadlines.schedule(() -> expire(next), maxDuration.toMillis(), TimeUnit.MILLISECONDS);
        }
    }

    private Entry nextInTurn() {
        List<String> order = new ArrayList<>(queues.keySet());
        for (String ns : order) {
            Deque<Entry> q = queues.get(ns);
            if (q.isEmpty()) {
                queues.remove(ns);
                continue;
            }
            if (runningIn.getOrDefault(ns, 0) >= perNamespace) {
                continue;
            }
            Entry e = q.poll();
            queues.remove(ns); // this namespace's turn is over: it goes to the back
            if (!q.isEmpty()) {
                queues.put(ns, q);
            }
            return e;
        }
        return null;
    }

    /** The run took longer than {@code maxDuration}: stop it; its next run queues anew, behind the waiting. */
    private void expire(Entry e) {
        synchronized (this) {
            if (e.dropped || e.results != null || e.stopped != null) {
                return;
            }
            e.stopped = "suite run stopped after " + text(maxDuration)
                    + ", the longest this operator lets one run take (fledge.safety.max-suite-duration); "
                    + "its next run waits behind other releases' runs: make the canary or judge faster, or the suite"
                    + " smaller, or raise spec.analysis.safety.suite.concurrency";
            LOG.warnf("suite run %s stopped after %s", e.job.runId(), maxDuration);
            cancel(e);
            dispatch();
        }
        onDone.accept(e.job.release());
    }

    static String text(Duration d) {
        if (d.toMillis() % 1000 != 0) {
            return d.toMillis() + "ms";
        }
        return d.toSeconds() % 60 != 0 ? d.toSeconds() + "s" : d.toMinutes() + "m";
    }

    private void execute(Entry e) {
        synchronized (this) {
            if (e.dropped || e.stopped != null) {
                release(e); // cancelled while it was handed to a worker
                dispatch();
                return;
            }
            e.started = true;
        }
        SuiteResults results = null;
        try {
            results = e.job.work().get();
        } catch (RuntimeException ex) {
            LOG.warnf("suite run %s failed: %s", e.job.runId(), ex.toString());
        } finally {
            finish(e, results);
        }
        if (!e.dropped && e.stopped == null && results != null) {
            onDone.accept(e.job.release());
        }
    }

    private synchronized void finish(Entry e, SuiteResults results) {
        release(e);
        if (e.deadline != null) {
            e.deadline.cancel(false);
        }
        if (e.stopped == null) {
            if (results == null && !e.dropped) {
                // an unexpected error (the runner turns call failures into counted errors): forget the run, so that
                // the next analysis starts it again
                runs.remove(e.job.release(), e);
            }
            e.results = results;
        }
        dispatch();
    }

    @Override
    public void close() {
        workers.shutdownNow();
        deadlines.shutdownNow();
    }
}
