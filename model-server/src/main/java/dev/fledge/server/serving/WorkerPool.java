package dev.fledge.server.serving;

import java.time.Duration;
import java.util.List;
import java.util.concurrent.ArrayBlockingQueue;
import java.util.concurrent.BlockingQueue;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;

/**
 * A fixed set of workers (DJL predictors are not thread-safe: one per request at a time) with a bounded queue.
 * A request beyond workers + queue, or one that waited longer than the timeout, is refused with
 * {@link OverloadedException} at once: memory stays flat and nothing hangs.
 */
public final class WorkerPool<W> implements AutoCloseable {
    private final BlockingQueue<W> idle;
    private final List<W> all;
    private final int capacity;
    private final Duration timeout;
    private final AtomicInteger admitted = new AtomicInteger();

    public WorkerPool(List<W> workers, int queue, Duration timeout) {
        this.all = List.copyOf(workers);
        this.idle = new ArrayBlockingQueue<>(workers.size(), false, workers);
        this.capacity = workers.size() + queue;
        this.timeout = timeout;
    }

    /** Waits for a free worker, or throws when the queue is full or the wait timed out. */
    public Lease<W> lease() {
        if (admitted.incrementAndGet() > capacity) {
            admitted.decrementAndGet();
            throw new OverloadedException("too many concurrent requests (" + capacity + " admitted at most)");
        }
        try {
            W worker = idle.poll(timeout.toMillis(), TimeUnit.MILLISECONDS);
            if (worker == null) {
                admitted.decrementAndGet();
                throw new OverloadedException("no worker became free within " + timeout.toMillis() + " ms");
            }
            return new Lease<>(worker, this);
        } catch (InterruptedException e) {
            admitted.decrementAndGet();
            Thread.currentThread().interrupt();
            throw new OverloadedException("interrupted while waiting for a worker");
        }
    }

    void giveBack(W worker) {
        idle.add(worker);
        admitted.decrementAndGet();
    }

    @Override
    public void close() {
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
