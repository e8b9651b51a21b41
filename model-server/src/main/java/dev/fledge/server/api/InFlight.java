package dev.fledge.server.api;

import io.vertx.core.http.HttpServerResponse;
import java.time.Duration;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;

/**
 * The requests a listener of its own ({@link PublicPort}) has in flight, so that it can drain them at shutdown as
 * Quarkus drains the main port ({@code quarkus.shutdown.timeout}). A request counts from its arrival until its response
 * has ended or its connection has closed, as the response itself says ({@code ended()}, {@code closed()}): no handler
 * of the response is set here, since a Vert.x response holds one end and one close handler, which Quarkus REST
 * replaces on the responses it writes. Ended responses are dropped as new ones come, at a cost that stays constant per
 * request.
 */
final class InFlight {
    private static final int MIN_PRUNE = 256;
    private static final long POLL_MS = 20;

    private final Set<HttpServerResponse> responses = ConcurrentHashMap.newKeySet();
    private volatile boolean draining;
    private volatile long drainStartedNanos;
    private int pruneAt = MIN_PRUNE;

    /** Counts {@code response}'s request; false, with nothing counted, once draining: the request is to be refused. */
    boolean admit(HttpServerResponse response) {
        if (draining) {
            return false;
        }
        responses.add(response);
        if (responses.size() > pruneAt) {
            prune();
        }
        return true;
    }

    private synchronized void prune() {
        responses.removeIf(InFlight::done);
        pruneAt = Math.max(MIN_PRUNE, 2 * responses.size());
    }

    private static boolean done(HttpServerResponse r) {
        return r.ended() || r.closed();
    }

    /** Whether the drain has begun: responses that start now should close their connection. */
    boolean draining() {
        return draining;
    }

    /** Admits no more requests from now on; the drain's time counts from the first call. */
    synchronized void startDraining() {
        if (!draining) {
            drainStartedNanos = System.nanoTime();
            draining = true;
        }
    }

    /**
     * Admits no more requests, and waits until those in flight are done or {@code timeout} has passed since the drain
     * began ({@link #startDraining}). Returns how many were still in flight then.
     */
    int drain(Duration timeout) throws InterruptedException {
        startDraining();
        long deadline = drainStartedNanos + timeout.toNanos();
        while (true) {
            responses.removeIf(InFlight::done);
            if (responses.isEmpty() || System.nanoTime() - deadline >= 0) {
                return responses.size();
            }
            Thread.sleep(POLL_MS);
        }
    }
}
