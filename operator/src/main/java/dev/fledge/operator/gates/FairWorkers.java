package dev.fledge.operator.gates;

import java.util.ArrayDeque;
import java.util.Deque;
import java.util.HashMap;
import java.util.Iterator;
import java.util.LinkedHashMap;
import java.util.Map;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.SynchronousQueue;
import java.util.concurrent.ThreadPoolExecutor;
import java.util.concurrent.TimeUnit;
import org.jboss.logging.Logger;

/**
 * A few worker threads shared out between namespaces: at most {@code threads} tasks at once, at most
 * {@code perNamespace} of one namespace, and a free thread goes to the waiting namespaces in turn (round robin). So a
 * tenant whose reads are slow (a costly PromQL, a Prometheus that takes its time for its series) holds at most its own
 * share, and another tenant's read waits for one free thread at most, not behind all of the first tenant's.
 */
public final class FairWorkers implements AutoCloseable {
    private static final Logger LOG = Logger.getLogger(FairWorkers.class);

    private final int threads;
    private final int perNamespace;
    private final ExecutorService pool;
    /** Waiting tasks per namespace, the namespaces in their turn order. */
    private final LinkedHashMap<String, Deque<Runnable>> waiting = new LinkedHashMap<>();

    private final Map<String, Integer> runningIn = new HashMap<>();
    private int running;

    public FairWorkers(int threads, int perNamespace, String name) {
        if (threads < 1 || perNamespace < 1) {
            throw new IllegalArgumentException(
                    "workers must be at least 1, got " + threads + " and " + perNamespace + " per namespace");
        }
        this.threads = threads;
        this.perNamespace = Math.min(perNamespace, threads);
        // a thread per task running, reused once idle, none held after a minute idle: a pool of fixed size made a
        // new thread for every task until it had all of them (32 threads for the 4 reads of one namespace at a time)
        // and the limits are kept by dispatch, not by the pool (a worker dispatches the next task before it is free)
        this.pool = new ThreadPoolExecutor(0, Integer.MAX_VALUE, 1, TimeUnit.MINUTES, new SynchronousQueue<>(), r -> {
            Thread t = new Thread(r, name);
            t.setDaemon(true);
            return t;
        });
    }

    /** Runs {@code task} once a thread is free for {@code namespace}. */
    public void submit(String namespace, Runnable task) {
        synchronized (this) {
            waiting.computeIfAbsent(namespace, ns -> new ArrayDeque<>()).addLast(task);
        }
        dispatch();
    }

    /** Tasks waiting for a thread (tests). */
    synchronized int waiting() {
        return waiting.values().stream().mapToInt(Deque::size).sum();
    }

    private void dispatch() {
        while (true) {
            String namespace;
            Runnable task;
            synchronized (this) {
                if (running >= threads) {
                    return;
                }
                Iterator<Map.Entry<String, Deque<Runnable>>> turns =
                        waiting.entrySet().iterator();
                Map.Entry<String, Deque<Runnable>> next = null;
                while (turns.hasNext()) {
                    Map.Entry<String, Deque<Runnable>> e = turns.next();
                    if (runningIn.getOrDefault(e.getKey(), 0) < perNamespace) {
                        next = e;
                        break;
                    }
                }
                if (next == null) {
                    return;
                }
                namespace = next.getKey();
                task = next.getValue().pollFirst();
                waiting.remove(namespace);
                if (!next.getValue().isEmpty()) {
                    waiting.put(namespace, next.getValue()); // to the end of the turn order
                }
                running++;
                runningIn.merge(namespace, 1, Integer::sum);
            }
            String ns = namespace;
            Runnable t = task;
            try {
                pool.execute(() -> run(ns, t));
            } catch (RuntimeException | Error e) { // shut down, or no thread could be started
                done(ns);
                LOG.warnf("a read of namespace %s was dropped: %s", ns, e.toString());
                return;
            }
        }
    }

    private void run(String namespace, Runnable task) {
        try {
            task.run();
        } catch (RuntimeException e) {
            LOG.warnf("a read of namespace %s failed: %s", namespace, e.toString());
        } finally {
            done(namespace);
            dispatch();
        }
    }

    private synchronized void done(String namespace) {
        running--;
        if (runningIn.merge(namespace, -1, Integer::sum) <= 0) {
            runningIn.remove(namespace);
        }
    }

    @Override
    public void close() {
        pool.shutdownNow();
    }
}
