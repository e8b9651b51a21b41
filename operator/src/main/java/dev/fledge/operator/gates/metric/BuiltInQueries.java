package dev.fledge.operator.gates.metric;

import dev.fledge.api.spec.MetricTemplate;

/** The queries behind {@code template: error-rate | latency-p99}, over the Fledge model server's metrics. */
public final class BuiltInQueries {
    /** The canary's user traffic: the operator's own suite requests (audience {@code evaluation}) are left out. */
    private static final String CANARY =
            "namespace=\"{{namespace}}\",release=\"{{release}}\",version=\"{{canaryVersion}}\",audience!=\"evaluation\"";

    private BuiltInQueries() {}

    /**
     * The outcomes the error rate weighs: every request but a malformed one ({@code invalid}), which anyone can
     * send. A request beyond the model's own limits ({@code model_limit}: input width, max_tokens) and one shed
     * under load ({@code rejected}, 429) are the canary's doing, so they count as errors.
     */
    static final String WEIGHED = "outcome=~\"success|blocked|error|model_limit|rejected\"";

    /** The outcomes counted as errors. */
    static final String FAILED = "outcome=~\"error|model_limit|rejected\"";

    /**
     * Error rate: failed requests over the requests weighed in the window ({@code or vector(0)} so that no errors
     * reads 0, while no traffic at all stays no data). Malformed requests ({@code invalid}) are in neither: a flood
     * of them must not dilute the canary's errors.
     */
    public static final String ERROR_RATE =
            "(sum(rate(fledge_model_requests_total{" + CANARY + "," + FAILED + "}[{{interval}}])) or vector(0))"
                    + " / sum(rate(fledge_model_requests_total{" + CANARY + "," + WEIGHED + "}[{{interval}}]))";

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
