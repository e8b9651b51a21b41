package dev.fledge.operator.gates.metric;

import dev.fledge.operator.gates.bayes.Evidence;

/**
 * Binomial evidence read from two Prometheus counters: all events and the flagged (or negative) ones.
 *
 * @param evidence the counts, or null when they could not be read
 * @param problem  why they could not be read, or null
 */
public record CounterEvidence(Evidence evidence, String problem) {

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
        long n = total instanceof QueryResult.Value v ? Math.round(v.value()) : 0;
        long k = flagged instanceof QueryResult.Value v ? Math.round(v.value()) : 0;
        if (n < 0 || k < 0 || k > n) {
            return new CounterEvidence(null, "inconsistent counters: " + k + " flagged of " + n);
        }
        return new CounterEvidence(new Evidence(n, k), null);
    }
}
