package dev.fledge.server.serving;

import java.time.Duration;
import java.util.List;
import java.util.concurrent.ArrayBlockingQueue;
import java.util.concurrent.BlockingQueue;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.RejectedExecutionException;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.function.Function;

/**
 * A fixed set of workers (DJL predictors are not thread-safe: one per request at a time) with a bounded queue.
 * A request beyond workers + queue, or one that waited longer than the timeout, is refused with
 * {@link OverloadedException} at once: memory stays flat and nothing hangs.
 * <p>
 * {@link #submit} runs the work on the pool's own threads, one per worker, so inference always runs on the same
 * few threads (warm caches, one PyTorch thread setting each) instead of whichever HTTP worker thread took the
 * request; {@link #lease} lends a worker to the calling thread.
 */
public final class WorkerPool<W> implements AutoCloseable {
    private final BlockingQueue<W> idle;
    private final List<W> all;
    private final int capacity;
    private final Duration timeout;
    private final AtomicInteger admitted = new AtomicInteger();
    private final ExecutorService threads;

    public WorkerPool(List<W> workers, int queue, Duration timeout) {
        this.all = List.copyOf(workers);
        this.idle = new ArrayBlockingQueue<>(workers.size(), false, workers);
        this.capacity = workers.size() + queue;
        this.timeout = timeout;
        AtomicInteger names = new AtomicInteger();
        this.threads = Executors.newFixedThreadPool(workers.size(), r -> {
            Thread t = new Thread(r, "inference-" + names.incrementAndGet());
            t.setDaemon(true);
            return t;
        });
    }

    /** Waits for a free worker, or throws when the queue is full or the wait timed out. */
    public Lease<W> lease() {
        admit();
        try {
            W worker = idle.poll(timeout.toMillis(), TimeUnit.MILLISECONDS);
            if (worker == null) {
                admitted.decrementAndGet();
                throw timedOut();
            }
            return new Lease<>(worker, this);
        } catch (InterruptedException e) {
            admitted.decrementAndGet();
            Thread.currentThread().interrupt();
            throw new OverloadedException("interrupted while waiting for a worker");
        }
    }

    /**
     * Runs the work with a worker on one of the pool's threads. Refused at once ({@link OverloadedException}) when
     * the queue is full; the future fails with it when no worker was free within the timeout of submitting. The
     * future fails with whatever the work throws, unwrapped. The worker is given back before the future completes.
     */
    public <T> CompletableFuture<T> submit(Function<W, T> work) {
        admit();
        long submitted = System.nanoTime();
        CompletableFuture<T> result = new CompletableFuture<>();
        try {
            threads.execute(() -> run(work, submitted, result));
        } catch (RejectedExecutionException closed) {
            admitted.decrementAndGet();
            throw new OverloadedException("the model is shutting down");
        }
        return result;
    }

    private <T> void run(Function<W, T> work, long submitted, CompletableFuture<T> result) {
        W worker = null;
        try {
            long left = timeout.toNanos() - (System.nanoTime() - submitted);
            worker = left > 0 ? idle.poll(left, TimeUnit.NANOSECONDS) : null;
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        }
        if (worker == null) {
            admitted.decrementAndGet();
            result.completeExceptionally(timedOut());
            return;
        }
        T value;
        try {
            value = work.apply(worker);
        } catch (Throwable failure) {
            giveBack(worker);
            result.completeExceptionally(failure);
            return;
        }
        giveBack(worker);
        result.complete(value);
    }

    private void admit() {
        if (admitted.incrementAndGet() > capacity) {
            admitted.decrementAndGet();
            throw new OverloadedException("too many concurrent requests (" + capacity + " admitted at most)");
        }
    }

    private OverloadedException timedOut() {
        return new OverloadedException("no worker became free within " + timeout.toMillis() + " ms");
    }

    void giveBack(W worker) {
        idle.add(worker);
        admitted.decrementAndGet();
    }

    @Override
    public void close() {
        threads.shutdownNow();
        all.forEach(w -> {
            if (w instanceof AutoCloseable c) {
                try {
                    c.close();
                } catch (Exception ignored) {
                    // closing at shutdown: nothing left to do
                }
            }
        });
    }

    /** One worker, returned to the pool on close. */
    public static final class Lease<W> implements AutoCloseable {
        private final W worker;
        private final WorkerPool<W> pool;
        private boolean closed;

        Lease(W worker, WorkerPool<W> pool) {
            this.worker = worker;
            this.pool = pool;
        }

        public W worker() {
            return worker;
        }

        @Override
        public void close() {
            if (!closed) {
                closed = true;
                pool.giveBack(worker);
            }
        }
    }
}
