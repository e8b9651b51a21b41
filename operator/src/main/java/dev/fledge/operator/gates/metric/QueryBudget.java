package dev.fledge.operator.gates.metric;

import java.time.Duration;

/**
 * What the gates of one namespace may ask of Prometheus. prom-label-proxy confines which series a tenant's query sees,
 * not what it costs, and each query holds one of the operator's reconcile threads until Prometheus answers; so every
 * namespace gets a few queries in flight and a share of Prometheus time per window ({@link BudgetedMetrics}).
 *
 * @param maxRunning queries of one namespace in flight at once
 * @param slotWait   how long a query waits for one of those to end before it is Inconclusive (zero: not at all)
 * @param time       the time one namespace's queries may take (as the operator waits for the answers) per window
 * @param window     the sliding window {@code time} is counted over
 * @param readers    the operator's threads that evaluate gates waiting on Prometheus, off the reconcile threads; one
 *                   namespace may use {@code maxRunning} of them, and at most half
 * @param answerWait how long the pass that sends a gate's reading waits for the answer before it records
 *                   "evaluating" and leaves the answer to a later pass (zero: it never waits); see
 *                   {@code DeferredReads}
 */
public record QueryBudget(
        int maxRunning, Duration slotWait, Duration time, Duration window, int readers, Duration answerWait) {
    /** {@code fledge.prometheus.readers}. */
    public static final int DEFAULT_READERS = 32;

    /** {@code fledge.prometheus.answer-wait}. */
    public static final Duration DEFAULT_ANSWER_WAIT = Duration.ofMillis(200);
    /** The longest {@code fledge.prometheus.answer-wait} the operator's configuration takes (it holds a reconcile thread). */
    public static final Duration MAX_ANSWER_WAIT = Duration.ofSeconds(1);

    public QueryBudget(int maxRunning, Duration slotWait, Duration time, Duration window) {
        this(maxRunning, slotWait, time, window, DEFAULT_READERS, DEFAULT_ANSWER_WAIT);
    }

    public QueryBudget {
        if (readers < 2) {
            throw new IllegalArgumentException("fledge.prometheus.readers must be at least 2: " + readers);
        }
        if (maxRunning < 1) {
            throw new IllegalArgumentException(
                    "fledge.prometheus.max-queries-per-namespace must be at least 1: " + maxRunning);
        }
        if (answerWait.isNegative()) {
            throw new IllegalArgumentException("fledge.prometheus.answer-wait must not be negative: " + answerWait);
        }
        if (slotWait.isNegative()) {
            throw new IllegalArgumentException("the wait for a query slot must not be negative: " + slotWait);
        }
        if (time.isNegative() || time.isZero() || window.isNegative() || window.isZero()) {
            throw new IllegalArgumentException(
                    "fledge.prometheus.namespace-query-time and its window must be positive: " + time + " per "
                            + window);
        }
    }

    /**
     * 4 queries at once and 30 s of query time per minute, per namespace. A query that finds its namespace's 4 running
     * does not wait for a slot: the wait would hold a reconcile thread, uncharged.
     */
    public static QueryBudget standard() {
        return new QueryBudget(4, Duration.ZERO, Duration.ofSeconds(30), Duration.ofMinutes(1));
    }

    /** The readers one namespace may use at once: {@code maxRunning}, and never more than half of them all. */
    public int readersPerNamespace() {
        return Math.max(1, Math.min(maxRunning, readers / 2));
    }
}
