package dev.fledge.operator.gates.metric;

/** What one PromQL query gave: a number, nothing, or a reason it could not be read. */
public sealed interface QueryResult {
    record Value(double value) implements QueryResult {}

    /** An empty result, or NaN (a ratio over no traffic). */
    record NoData(String detail) implements QueryResult {}

    /** Prometheus unreachable, timed out, answered an error, or returned something that is not one number. */
    record Unusable(String reason) implements QueryResult {}
}
