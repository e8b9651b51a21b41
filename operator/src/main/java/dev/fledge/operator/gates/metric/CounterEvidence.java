package dev.fledge.operator.gates.metric;

import dev.fledge.operator.gates.bayes.Evidence;

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

    public static CounterEvidence read(
            MetricsBackend backend, String namespace, String totalQuery, String flaggedQuery) {
        QueryResult total = backend.query(namespace, totalQuery);
        if (total instanceof QueryResult.Unusable u) {
            return new CounterEvidence(null, u.reason());
        }
        QueryResult flagged = backend.query(namespace, flaggedQuery);
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

    /** Why a query's value cannot be a count (not finite, or above {@link #MAX_COUNT}), or null when it can. */
    public static String notACount(QueryResult r) {
        if (r instanceof QueryResult.Value v && !(Double.isFinite(v.value()) && Math.abs(v.value()) <= MAX_COUNT)) {
            return "a counter read " + v.value() + ", which is not a count (a broken exposition?); not counted";
        }
        return null;
    }
}
