package dev.fledge.operator.gates;

import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.util.HashMap;
import java.util.Map;
import java.util.Objects;
import java.util.Optional;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.TimeUnit;
import java.util.function.Consumer;
import java.util.function.Supplier;
import org.jboss.logging.Logger;

/**
 * Reads that wait on Prometheus, done off the reconcile thread. A gate asks for its reading on every pass; the first
 * ask sends the work to the {@link FairWorkers}; unless the answer comes within the short wait below, the release is
 * woken ({@code wake}, {@code namespace/name}) when the work ends and its next pass finds the answer. So a slow
 * Prometheus, or a tenant's costly query, holds a reconcile thread for that short wait at most: an abort, a spec edit
 * or a rollback of the same release is handled while its query runs.
 *
 * <p>A reading belongs to a scope (the rollout attempt, stage, step and spec generation it was asked in); an answer
 * of another scope is never handed out. A new reading of a key is sent at most once per {@code every} (the analysis
 * interval): a pass that a wake-up or a watch event brings earlier reads what is there and sends nothing.
 *
 * <p>The pass that sends a reading waits for its answer up to {@code answerWait} (a healthy Prometheus answers a gate's
 * query in milliseconds): an answer within that time is this pass's own, and no wake-up follows. So the common analysis
 * costs one pass and one status write instead of two (bench-operator: the placeholder and the verdict were two status
 * writes per analysis). A reading that takes longer is left to the workers as before, and the release is woken by its
 * answer. What a slow Prometheus or a tenant's costly query can hold: at most {@link #WAITERS_PER_NAMESPACE} reconcile
 * threads per namespace and {@link #WAITERS} in all at once, each at most {@code answerWait} per gate of the pass; and
 * once a wait runs out, or an answer takes more than half of it, that namespace's passes do not wait for
 * {@link #SLOW_BACKOFF}.
 */
public final class DeferredReads {
    private static final Logger LOG = Logger.getLogger(DeferredReads.class);
    /** An answer that no pass took within this time is dropped (its release moved on, or was deleted). */
    static final Duration KEEP = Duration.ofMinutes(10);
    /** How long a namespace's passes stop waiting for answers after one wait ran out. */
    static final Duration SLOW_BACKOFF = Duration.ofSeconds(30);
    /** How many passes of one namespace may wait for answers at once; the others record "evaluating" and go on. */
    static final int WAITERS_PER_NAMESPACE = 2;
    /** How many passes may wait for answers at once in all: a third of the operator's 12 reconcile threads. */
    static final int WAITERS = 4;

    private final FairWorkers workers;
    private final Clock clock;
    private final Consumer<String> wake;
    private final Duration answerWait;
    private final Map<String, Entry> entries = new ConcurrentHashMap<>();
    /** Per namespace: until when its passes do not wait for an answer (a wait ran out). */
    private final Map<String, Instant> slowUntil = new ConcurrentHashMap<>();
    /** Per namespace: its passes waiting for an answer now. */
    private final Map<String, Integer> waitersIn = new HashMap<>();
    /** Passes waiting for an answer now, in all namespaces (guarded by {@link #waitersIn}). */
    private int waiters;

    private volatile Instant swept = Instant.EPOCH;

    /** Without waiting for answers: every reading's answer comes to a later pass. */
    public DeferredReads(FairWorkers workers, Clock clock, Consumer<String> wake) {
        this(workers, clock, wake, Duration.ZERO);
    }

    /** {@code answerWait}: how long the pass that sends a reading waits for its answer (zero: not at all). */
    public DeferredReads(FairWorkers workers, Clock clock, Consumer<String> wake, Duration answerWait) {
        if (answerWait.isNegative()) {
            throw new IllegalArgumentException("fledge.prometheus.answer-wait must not be negative: " + answerWait);
        }
        this.workers = workers;
        this.clock = clock;
        this.wake = wake;
        this.answerWait = answerWait;
    }

    /**
     * One reading a gate asks for.
     *
     * @param namespace the tenant, whose reads share out the workers fairly with other namespaces
     * @param release   {@code namespace/name}
     * @param key       the reading within the release, e.g. {@code gate:error-rate}
     * @param scope     when the reading was asked: an answer is handed out only within the same scope
     * @param every     a new reading of {@code key} is sent at most this often
     * @param at        the time of the pass that asks, which the interval counts by (null: the clock's now)
     */
    public record Ask<T>(
            String namespace, String release, String key, String scope, Duration every, Supplier<T> work, Instant at) {
        /** Asked now, by the operator's clock. */
        public Ask(String namespace, String release, String key, String scope, Duration every, Supplier<T> work) {
            this(namespace, release, key, scope, every, work, null);
        }

        /**
         * {@code key} of the release in {@code ctx}, asked in its scope ({@link ReadScope}) at most once per analysis
         * interval, at the pass's time ({@code ctx.now()}): the time the engine schedules analyses by, so a pass the
         * engine finds an analysis due in finds the reading due here too, however long the pass took before it asked.
         */
        public static <T> Ask<T> of(GateContext ctx, String key, Supplier<T> work) {
            var meta = ctx.release().getMetadata();
            return new Ask<>(
                    meta.getNamespace(),
                    meta.getNamespace() + "/" + meta.getName(),
                    key,
                    ReadScope.of(ctx),
                    ctx.plan().interval(),
                    work,
                    ctx.now());
        }
    }

    /** What {@link #latest} found: the answer and when it came. */
    public record Answer<T>(T value, Instant at) {}

    /** What {@link #take} found. */
    public sealed interface Taken<T> {}

    /** An answer no pass took yet: it is this pass's, and no other pass gets it. */
    public record Fresh<T>(T value) implements Taken<T> {}

    /**
     * A reading is on its way, sent at {@code at} by this pass (and not answered within the answer wait) or by an
     * earlier one: the answer comes to a later pass.
     */
    public record Sent<T>(Instant at) implements Taken<T> {}

    /** Nothing new: the last answer was taken and the next reading is not due yet. */
    public record Nothing<T>() implements Taken<T> {}

    /**
     * The answer to the last reading of {@code ask.key}, once: a pass that takes it gets it, later passes get nothing
     * until a new reading (sent at most once per {@code every}) is answered. For verdicts that count, such as a metric
     * gate's failures: each answer is counted by one pass only.
     */
    public <T> Taken<T> take(Ask<T> ask) {
        Entry e = entry(ask);
        synchronized (e) {
            if (e.fresh) {
                e.fresh = false;
                return new Fresh<>(cast(e.answer));
            }
            if (e.running && entries.get(e.id) == e) {
                // on its way: said on every pass that asks, so no stage ends on an older verdict meanwhile, whether
                // or not the placeholder of the pass that sent it was stored (a held status can be lost)
                return new Sent<>(e.sentAt);
            }
            if (!sendIfDue(e, ask)) {
                return new Nothing<>();
            }
            if (answered(e, ask.namespace())) {
                e.fresh = false;
                return new Fresh<>(cast(e.answer));
            }
            return new Sent<>(e.sentAt);
        }
    }

    /**
     * The latest answer of the scope, on every pass until a newer one comes; a new reading is sent once the last was
     * sent {@code every} ago. For evidence that is re-weighed on every pass, such as live output counts.
     */
    public <T> Optional<Answer<T>> latest(Ask<T> ask) {
        Entry e = entry(ask);
        synchronized (e) {
            e.fresh = false;
            if (sendIfDue(e, ask) && answered(e, ask.namespace())) {
                e.fresh = false; // this pass has it: no other pass is woken for it
            }
            return e.answeredAt == null ? Optional.empty() : Optional.of(new Answer<>(cast(e.answer), e.answeredAt));
        }
    }

    /**
     * Waits, holding {@code e}'s lock except while waiting, up to the answer wait for the reading just sent: whether it
     * was answered. While this pass waits, the worker that answers wakes nobody (this pass takes the answer). At most
     * {@link #WAITERS_PER_NAMESPACE} passes of a namespace, and {@link #WAITERS} in all, wait at once; a wait that runs
     * out, or an answer that took more than half of it, stops the namespace's passes waiting for {@link #SLOW_BACKOFF}.
     */
    private boolean answered(Entry e, String namespace) {
        if (answerWait.isZero() || backingOff(namespace) || !enter(namespace)) {
            return false;
        }
        long start = System.nanoTime();
        long deadline = start + answerWait.toNanos();
        e.waiting = true;
        try {
            while (e.running) {
                long left = deadline - System.nanoTime();
                if (left <= 0) {
                    backOff(namespace, start);
                    return false;
                }
                TimeUnit.NANOSECONDS.timedWait(e, left);
            }
            if (System.nanoTime() - start > answerWait.toNanos() / 2) {
                backOff(namespace, start); // answered, but slowly
            }
            return e.fresh;
        } catch (InterruptedException ex) {
            Thread.currentThread().interrupt();
            return e.fresh; // answered meanwhile: the worker woke nobody, this pass has it
        } finally {
            e.waiting = false;
            leave(namespace);
        }
    }

    /**
     * The namespace's passes do not wait for answers for {@link #SLOW_BACKOFF}; said once per back-off, at DEBUG: under
     * load it is normal, and with many namespaces one line each would be noise at INFO.
     */
    private void backOff(String namespace, long startNanos) {
        Instant now = clock.instant();
        Instant before = slowUntil.put(namespace, now.plus(SLOW_BACKOFF));
        if ((before == null || !now.isBefore(before)) && LOG.isDebugEnabled()) {
            LOG.debugf(
                    "namespace %s: a Prometheus read (queued for a reader, then run) took %d ms of the answer wait"
                            + " (%d ms); for %d s its passes do not wait: each verdict comes to the pass its answer"
                            + " wakes",
                    namespace,
                    TimeUnit.NANOSECONDS.toMillis(System.nanoTime() - startNanos),
                    answerWait.toMillis(),
                    SLOW_BACKOFF.toSeconds());
        }
    }

    private boolean backingOff(String namespace) {
        Instant slow = slowUntil.get(namespace);
        if (slow == null) {
            return false;
        }
        if (clock.instant().isBefore(slow)) {
            return true;
        }
        slowUntil.remove(namespace, slow);
        return false;
    }

    /** Counts a waiting pass of the namespace in, unless as many as may wait already do (in it, or in all). */
    private boolean enter(String namespace) {
        synchronized (waitersIn) {
            int n = waitersIn.getOrDefault(namespace, 0);
            if (n >= WAITERS_PER_NAMESPACE || waiters >= WAITERS) {
                return false;
            }
            waitersIn.put(namespace, n + 1);
            waiters++;
            return true;
        }
    }

    private void leave(String namespace) {
        synchronized (waitersIn) {
            waitersIn.computeIfPresent(namespace, (k, n) -> n <= 1 ? null : n - 1);
            waiters--;
        }
    }

    /** The release was deleted: its readings go (a running one ends unseen). */
    public void forget(String release) {
        entries.keySet().removeIf(k -> k.startsWith(release + "\n"));
    }

    /** Readings kept (tests). */
    int size() {
        return entries.size();
    }

    private Entry entry(Ask<?> ask) {
        sweep();
        String id = ask.release() + "\n" + ask.key();
        Entry e = entries.compute(
                id, (k, old) -> old == null || !old.scope.equals(ask.scope()) ? new Entry(id, ask.scope()) : old);
        synchronized (e) {
            e.every = ask.every();
        }
        return Objects.requireNonNull(e);
    }

    /** Sends a new reading unless one is on its way, an answer waits to be taken, or the last was sent too lately. */
    private boolean sendIfDue(Entry e, Ask<?> ask) {
        Instant now = ask.at() != null ? ask.at() : clock.instant();
        if (e.running
                || e.fresh
                || (e.sentAt != null && now.isBefore(e.sentAt.plus(ask.every())))
                || entries.get(e.id) != e) { // swept or replaced meanwhile: the next pass asks anew
            return false;
        }
        e.running = true;
        e.sentAt = now;
        workers.submit(ask.namespace(), () -> {
            Object answer = null;
            boolean answered = false;
            try {
                answer = ask.work().get();
                answered = true;
            } finally {
                boolean handed;
                synchronized (e) {
                    e.running = false;
                    if (answered) {
                        e.answer = answer;
                        e.answeredAt = clock.instant();
                        e.fresh = true;
                    }
                    handed = answered && e.waiting; // the pass that sent it waits for it and takes it
                    e.notifyAll();
                }
                if (!handed) {
                    wake.accept(ask.release());
                }
            }
        });
        return true;
    }

    /** Drops, at most once a minute, what was last sent more than {@link #KEEP} (or two intervals) ago. */
    private void sweep() {
        Instant now = clock.instant();
        if (now.isBefore(swept.plus(Duration.ofMinutes(1)))) {
            return;
        }
        swept = now;
        slowUntil.values().removeIf(now::isAfter);
        entries.values().removeIf(e -> {
            synchronized (e) {
                Duration keep = e.every.multipliedBy(2).compareTo(KEEP) > 0 ? e.every.multipliedBy(2) : KEEP;
                return !e.running && e.sentAt != null && now.isAfter(e.sentAt.plus(keep));
            }
        });
    }

    @SuppressWarnings("unchecked")
    private static <T> T cast(Object o) {
        return (T) o;
    }

    private static final class Entry {
        final String id;
        final String scope;
        Duration every = Duration.ZERO;
        boolean running;
        Instant sentAt;
        Object answer;
        Instant answeredAt;
        /** Answered and not yet taken. */
        boolean fresh;
        /** The pass that sent the reading waits for its answer. */
        boolean waiting;

        Entry(String id, String scope) {
            this.id = id;
            this.scope = scope;
        }
    }
}
