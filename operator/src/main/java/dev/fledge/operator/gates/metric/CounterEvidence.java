package dev.fledge.operator.gates.metric;

import dev.fledge.operator.gates.bayes.Evidence;
import java.time.Instant;

/**
 * Binomial evidence read from two Prometheus counters: all events and the flagged (or negative) ones.
 *
 * @param evidence the counts, or null when they could not be read
 * @param problem  why they could not be read, or null
 */
public record CounterEvidence(Evidence evidence, String problem) {
    /**
     * The largest count taken as one: no counter of real outputs or ratings comes near it. Beyond it, or not finite
     * ({@code +Inf} is a valid sample in the exposition format), the value is a broken or hostile exposition: rounded,
     * it would be {@code Long.MAX_VALUE} outputs with no flag, a certain pass, or overflow when added to the suite's.
     */
    public static final double MAX_COUNT = 1e15;

    /** Both counts as of {@code at} ({@link MetricsBackend#query(String, String, Instant)}). */
    public static CounterEvidence read(
            MetricsBackend backend, String namespace, String totalQuery, String flaggedQuery, Instant at) {
        QueryResult total = backend.query(namespace, totalQuery, at);
        if (total instanceof QueryResult.Unusable u) {
            return new CounterEvidence(null, u.reason());
        }
        QueryResult flagged = backend.query(namespace, flaggedQuery, at);
        if (flagged instanceof QueryResult.Unusable u) {
            return new CounterEvidence(null, u.reason());
        }
        for (QueryResult r : new QueryResult[] {total, flagged}) {
            String problem = notACount(r);
            if (problem != null) {
                return new CounterEvidence(null, problem);
            }
        }
        long n = total instanceof QueryResult.Value v ? Math.round(v.value()) : 0;
        long k = flagged instanceof QueryResult.Value v ? Math.round(v.value()) : 0;
        if (n < 0 || k < 0 || k > n) {
            return new CounterEvidence(null, "inconsistent counters: " + k + " flagged of " + n);
        }
        return new CounterEvidence(new Evidence(n, k), null);
    }

    /**
     * Why a query's value cannot be a count (negative, not finite, or above {@link #MAX_COUNT}), or null when it can.
     * The rise of real counters is never negative; {@link CounterRise} clamps each series at 0, so this guards a
     * query that does not.
     */
    public static String notACount(QueryResult r) {
        if (r instanceof QueryResult.Value v && !(v.value() >= 0 && v.value() <= MAX_COUNT)) {
            return "a counter read " + v.value() + ", which is not a count (a broken exposition?); not counted";
        }
        return null;
    }
}
