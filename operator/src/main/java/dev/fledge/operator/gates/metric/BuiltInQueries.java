package dev.fledge.operator.gates.metric;

/**
 * The queries behind {@code template: error-rate | latency-p99} of the {@code fledge} and {@code openai} profiles, over
 * the Fledge model server's metrics (its own, or its proxy's in front of another server). {@link ProfileQueries} holds
 * every profile's.
 */
public final class BuiltInQueries {
    /** The canary's user traffic: the operator's own suite requests (audience {@code evaluation}) are left out. */
    private static final String CANARY =
            "namespace=\"{{namespace}}\",release=\"{{release}}\",track=\"canary\",version=\"{{canaryVersion}}\",audience!=\"evaluation\"";

    private BuiltInQueries() {}

    /** The stable version's user traffic in the same namespace and release: the yardstick of refusals. */
    private static final String STABLE =
            "namespace=\"{{namespace}}\",release=\"{{release}}\",track=\"stable\",version=\"{{stableVersion}}\",audience!=\"evaluation\"";

    /**
     * The outcomes the error rate weighs: every request but a malformed one ({@code invalid}), which anyone can
     * send. Refusals of well-formed requests ({@code model_limit}: input width, max_tokens; {@code rejected}: 429) are
     * weighed too.
     */
    static final String WEIGHED = "outcome=~\"success|blocked|error|model_limit|rejected\"";

    /** The outcomes counted as errors outright: server errors. */
    static final String FAILED = "outcome=\"error\"";

    /**
     * Refusals of well-formed requests: errors of the canary only in excess of the stable version's rate of them,
     * since a request the stable also refuses (max_tokens above both servers' cap, a flood both shed) is the client's
     * doing, and anyone can send it.
     */
    static final String REFUSED = "outcome=~\"model_limit|rejected\"";

    private static String rate(String selector, String outcomes) {
        return "sum(rate(fledge_model_requests_total{" + selector + "," + outcomes + "}[{{interval}}]))";
    }

    private static String rateByAudience(String selector, String outcomes) {
        return "sum by (audience) (rate(fledge_model_requests_total{" + selector + "," + outcomes + "}[{{interval}}]))";
    }

    /** Per audience, the canary's weighed requests, and its refusals (0 where it refused none). */
    private static final String CANARY_WEIGHED = rateByAudience(CANARY, WEIGHED);

    private static final String CANARY_REFUSED =
            "(" + rateByAudience(CANARY, REFUSED) + " or (" + CANARY_WEIGHED + " * 0))";

    /**
     * Per audience of the canary, the stable's share of refusals among the requests it weighed; 0 where the stable had
     * no traffic of that audience in the window (or there is no stable version), so that every refusal of the canary
     * there counts: fail-safe. Comparing audience by audience keeps a flood of over-limit requests on the stable's
     * public audience from excusing the canary's refusals of its internal or closed users.
     */
    private static final String STABLE_REFUSED_SHARE = "(((" + rateByAudience(STABLE, REFUSED) + " or ("
            + rateByAudience(STABLE, WEIGHED) + " * 0)) / (" + rateByAudience(STABLE, WEIGHED) + " > 0)) or ("
            + CANARY_WEIGHED + " * 0))";

    /** The canary's refusals in excess of what the stable's share of them predicts, summed over audiences. */
    private static final String EXCESS_REFUSED =
            "sum(clamp_min(" + CANARY_REFUSED + " - (" + CANARY_WEIGHED + " * " + STABLE_REFUSED_SHARE + "), 0))";

    /**
     * Error rate: (server errors + refusals in excess of the stable's share, audience by audience) over the requests
     * weighed in the window: {@code (errors + sum(clamp_min(refused - weighed * stableRefusedShare, 0))) / weighed}.
     * {@code or vector(0)} makes no errors read 0, while no canary traffic at all stays no data. Malformed requests
     * ({@code invalid}) are in neither: a flood of them must not dilute the canary's errors.
     */
    public static final String ERROR_RATE =
            "((" + rate(CANARY, FAILED) + " or vector(0)) + " + EXCESS_REFUSED + ") / " + rate(CANARY, WEIGHED);

    /**
     * 99th percentile request latency of the canary, seconds. The model server observes served requests only, so
     * refused ones do not pull it down.
     */
    public static final String LATENCY_P99 =
            "histogram_quantile(0.99, sum by (le) (rate(fledge_model_request_duration_seconds_bucket{" + CANARY
                    + "}[{{interval}}])))";
}
