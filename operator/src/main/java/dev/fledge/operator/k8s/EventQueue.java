package dev.fledge.operator.k8s;

import java.time.Duration;
import java.util.List;
import java.util.concurrent.ArrayBlockingQueue;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.RejectedExecutionException;
import java.util.concurrent.ThreadPoolExecutor;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicLong;
import java.util.function.BooleanSupplier;
import java.util.function.Consumer;
import java.util.stream.IntStream;
import org.jboss.logging.Logger;

/**
 * Where the operator's Events are written: {@link #WRITERS} threads of their own, so a reconcile does not wait for
 * them (client-go's event broadcaster does the same for every Go controller). A release's Events always go to the same
 * writer, so they are written in the order recorded. At most {@link #CAPACITY} wait in all (client-go's
 * {@code maxQueuedEvents}), a quarter of them for each writer, and {@link #PER_RELEASE} of one release; past that an Event is dropped and counted, never
 * blocking a rollout on an API server slow to take Events, nor letting one release's Events push out everyone else's.
 * Each outcome ({@link #WRITTEN}, {@link #FAILED}, {@link #DROPPED}) goes to {@code outcomes}
 * ({@code fledge_events_total}).
 */
public final class EventQueue implements AutoCloseable {
    private static final Logger LOG = Logger.getLogger(EventQueue.class);
    public static final String WRITTEN = "written";
    public static final String FAILED = "failed";
    public static final String DROPPED = "dropped";
    static final int WRITERS = 4;
    static final int CAPACITY = 1000;
    /** Events of one release that may wait at once (client-go's spam filter allows a burst of 25 per object). */
    static final int PER_RELEASE = 25;
    /** How long {@link #close} lets the Events still queued be written. */
    static final Duration DRAIN = Duration.ofSeconds(5);

    /** Empty: each Event is written in the thread that records it. */
    private final List<ThreadPoolExecutor> writers;

    private final Consumer<String> outcomes;
    /** Events waiting (or being written) by release; a release with none has no entry. */
    private final ConcurrentHashMap<String, Integer> queued = new ConcurrentHashMap<>();

    private final AtomicLong dropped = new AtomicLong();

    public EventQueue(Consumer<String> outcomes) {
        this(WRITERS, CAPACITY, outcomes);
    }

    /** Writes each Event in the thread that records it (the in-process operator of the tests). */
    public static EventQueue inline() {
        return new EventQueue(0, 0, outcome -> {});
    }

    EventQueue(int writers, int capacity, Consumer<String> outcomes) {
        this.outcomes = outcomes;
        this.writers = IntStream.range(0, writers)
                .mapToObj(i -> new ThreadPoolExecutor(
                        1,
                        1,
                        0,
                        TimeUnit.MILLISECONDS,
                        new ArrayBlockingQueue<>(Math.max(1, capacity / writers)),
                        r -> {
                            Thread t = new Thread(r, "fledge-events-" + i);
                            t.setDaemon(true);
                            return t;
                        }))
                .toList();
    }

    /** Writes an Event of {@code release} (its uid): {@code write} says whether the API server took it. */
    void submit(String release, BooleanSupplier write) {
        if (writers.isEmpty()) {
            outcomes.accept(write.getAsBoolean() ? WRITTEN : FAILED);
            return;
        }
        boolean[] room = {false};
        queued.compute(release, (r, n) -> {
            int waiting = n == null ? 0 : n;
            room[0] = waiting < PER_RELEASE;
            return room[0] ? waiting + 1 : waiting;
        });
        if (!room[0]) {
            drop("its release has " + PER_RELEASE + " waiting");
            return;
        }
        ThreadPoolExecutor writer = writers.get(Math.floorMod(release.hashCode(), writers.size()));
        try {
            writer.execute(() -> {
                boolean written;
                try {
                    written = write.getAsBoolean();
                } catch (RuntimeException e) {
                    LOG.warnf(e, "could not write a Kubernetes Event");
                    written = false;
                } finally {
                    done(release);
                }
                outcomes.accept(written ? WRITTEN : FAILED);
            });
        } catch (RejectedExecutionException full) {
            done(release);
            drop(
                    writer.isShutdown()
                            ? "the operator is stopping"
                            : writer.getQueue().size() + " wait for its writer");
        }
    }

    private void done(String release) {
        queued.computeIfPresent(release, (r, n) -> n <= 1 ? null : n - 1);
    }

    /** Events dropped since the start: the queue was full, or the operator was stopping. */
    public long dropped() {
        return dropped.get();
    }

    private void drop(String why) {
        outcomes.accept(DROPPED);
        long n = dropped.incrementAndGet();
        if (n == 1 || n % 100 == 0) {
            LOG.warnf(
                    "%d Kubernetes Events dropped so far, the last as %s (the API server is slow to take them);"
                            + " the status and its history still say each transition",
                    n, why);
        }
    }

    /** Writes what is queued, for at most {@link #DRAIN} in all, then stops. */
    @Override
    public void close() {
        writers.forEach(ThreadPoolExecutor::shutdown);
        long until = System.nanoTime() + DRAIN.toNanos();
        try {
            for (ThreadPoolExecutor w : writers) {
                long left = Math.max(0, until - System.nanoTime());
                if (!w.awaitTermination(left, TimeUnit.NANOSECONDS)) {
                    lost(w);
                }
            }
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            writers.forEach(this::lost);
        }
    }

    /** Stops {@code writer} now: what it had not written yet is dropped. */
    private void lost(ThreadPoolExecutor writer) {
        int lost = writer.shutdownNow().size();
        if (lost > 0) {
            dropped.addAndGet(lost);
            for (int i = 0; i < lost; i++) {
                outcomes.accept(DROPPED);
            }
            LOG.warnf("%d Kubernetes Events not written at shutdown", lost);
        }
    }
}
