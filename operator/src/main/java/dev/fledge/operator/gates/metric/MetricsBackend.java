package dev.fledge.operator.gates.metric;

/** A metrics backend that answers instant PromQL queries. Implementations never throw for backend failures. */
public interface MetricsBackend {
    QueryResult query(String promql);
}
