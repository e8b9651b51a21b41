package dev.fledge.server.api;

import io.vertx.core.http.HttpServerResponse;
import java.time.Duration;
import java.util.concurrent.atomic.AtomicBoolean;

/**
 * The requests a listener of its own ({@link PublicPort}) has in flight, so that it can drain them at shutdown as
 * Quarkus drains the main port ({@code quarkus.shutdown.timeout}): a request counts from its arrival until its
 * response ends or its connection closes.
 */
final class InFlight {
    private int count;
    private boolean draining;

    /**
     * Counts {@code response}'s request; false, with nothing counted, once draining, when the request is to be refused.
     */
    synchronized boolean admit(HttpServerResponse response) {
        if (draining) {
            return false;
        }
        count++;
        AtomicBoolean done = new AtomicBoolean();
        Runnable finished = () -> {
            if (done.compareAndSet(false, true)) {
                release();
            }
        };
        response.endHandler(v -> finished.run());
        response.closeHandler(v -> finished.run());
        return true;
    }

    private synchronized void release() {
        count--;
        notifyAll();
    }

    /** Admits no more requests, and waits until those in flight are done or {@code timeout} has passed. */
    synchronized int drain(Duration timeout) throws InterruptedException {
        draining = true;
        long deadline = System.nanoTime() + timeout.toNanos();
        while (count > 0) {
            long left = deadline - System.nanoTime();
            if (left <= 0) {
                break;
            }
            wait(Math.max(1, left / 1_000_000));
        }
        return count;
    }
}
