package dev.fledge.operator.gates.metric;

import java.time.Duration;
import java.time.Instant;

/** A metrics backend that answers instant PromQL queries. Implementations never throw for backend failures. */
public interface MetricsBackend {
    QueryResult query(String promql);

    /**
     * A query on behalf of a release in {@code namespace}: a backend that can confine it (Prometheus behind
     * prom-label-proxy) sees only that namespace's series. The gates always call this one; the default runs
     * {@link #query(String)} unconfined.
     */
    default QueryResult query(String namespace, String promql) {
        return query(promql);
    }

    /**
     * As {@link #query(String, String)}, evaluated at {@code at} instead of the backend's own now: the queries of one
     * reading (all outputs and the flagged ones, ...) then see the same samples, where a scrape between two of them
     * could count a flag in the second and not the first. The default evaluates at the backend's now.
     */
    default QueryResult query(String namespace, String promql, Instant at) {
        return query(namespace, promql);
    }

    /**
     * The backend's own clock, as the {@code at} of the queries of one reading: Prometheus' time, so that a range
     * reckoned on the operator's clock (from {@code status.stageStartedAt} to the operator's now) still ends at
     * Prometheus' now, and skew between the two clocks cancels as it does for a query without {@code time=}. Null when
     * the backend has none or cannot tell (the queries then run at their own now).
     */
    default Instant now(String namespace) {
        return null;
    }

    /**
     * The shortest range a gate's {@code {{interval}}} may stand for with this backend (a few scrape intervals of
     * the series it queries); the analysis interval is used when it is longer. The default sets no floor.
     */
    default Duration minQueryRange() {
        return Duration.ZERO;
    }

    /**
     * How often the series this backend answers for are scraped ({@code fledge.prometheus.scrape-interval}): a range
     * that must count what happened since an instant reaches this far before it, so that the last sample from before
     * the instant is in it. The default (zero) is a backend whose samples are not scraped.
     */
    default Duration scrapeInterval() {
        return Duration.ZERO;
    }
}
