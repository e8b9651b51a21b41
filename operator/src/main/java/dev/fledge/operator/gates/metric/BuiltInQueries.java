package dev.fledge.operator.gates.metric;

import dev.fledge.api.spec.MetricTemplate;

/** The queries behind {@code template: error-rate | latency-p99}, over the Fledge model server's metrics. */
public final class BuiltInQueries {
    /** The canary's user traffic: the operator's own suite requests (audience {@code evaluation}) are left out. */
    private static final String CANARY =
            "namespace=\"{{namespace}}\",release=\"{{release}}\",version=\"{{canaryVersion}}\",audience!=\"evaluation\"";

    private BuiltInQueries() {}

    /** The outcomes of requests the model served; {@code invalid} (4xx) and {@code rejected} (429) are left out. */
    static final String SERVED = "outcome=~\"success|blocked|error\"";

    /**
     * Error rate: requests with outcome {@code error} over the requests the canary served in the window ({@code or
     * vector(0)} so that no errors reads 0, while no traffic at all stays no data). Refused requests (invalid,
     * rejected) are not in the denominator: anyone can send malformed requests, and a flood of them must not
     * dilute the canary's errors.
     */
    public static final String ERROR_RATE =
            "(sum(rate(fledge_model_requests_total{" + CANARY + ",outcome=\"error\"}[{{interval}}])) or vector(0))"
                    + " / sum(rate(fledge_model_requests_total{" + CANARY + "," + SERVED + "}[{{interval}}]))";

    /**
     * 99th percentile request latency of the canary, seconds. The model server observes served requests only, so
     * refused ones do not pull it down.
     */
    public static final String LATENCY_P99 =
            "histogram_quantile(0.99, sum by (le) (rate(fledge_model_request_duration_seconds_bucket{" + CANARY
                    + "}[{{interval}}])))";

    public static String of(MetricTemplate template) {
        return switch (template) {
            case ERROR_RATE -> ERROR_RATE;
            case LATENCY_P99 -> LATENCY_P99;
        };
    }
}
