package dev.fledge.operator.gates.metric;

import dev.fledge.api.spec.MetricTemplate;
import dev.fledge.api.spec.ModelReleaseSpec;
import dev.fledge.api.spec.ServerProfile;
import java.util.EnumMap;
import java.util.Map;
import java.util.Optional;
import java.util.stream.Collectors;

/**
 * The built-in templates of every server profile ({@code spec.server.profile}): one table, quoted in docs/servers.md
 * with the source of each metric name. Other servers do not know Fledge's labels: {@code release}, {@code track} and
 * {@code version} come from the pod's labels through the scrape configuration (the chart's PodMonitor), and there is
 * no {@code audience}, so their queries weigh every request the canary served, the safety suite's included.
 */
public final class ProfileQueries {
    /** The canary's series, whatever the server: the labels the scrape configuration adds from the pod. */
    static final String CANARY =
            "namespace=\"{{namespace}}\",release=\"{{release}}\",track=\"canary\",version=\"{{canaryVersion}}\"";

    private static final Map<ServerProfile, Map<MetricTemplate, String>> TABLE = table();

    private ProfileQueries() {}

    private static Map<ServerProfile, Map<MetricTemplate, String>> table() {
        Map<ServerProfile, Map<MetricTemplate, String>> t = new EnumMap<>(ServerProfile.class);
        Map<MetricTemplate, String> fledge =
                queries(BuiltInQueries.ERROR_RATE, BuiltInQueries.LATENCY_P99, null, null, null);
        t.put(ServerProfile.FLEDGE, fledge);
        t.put(ServerProfile.OPENAI, fledge); // the Fledge proxy in front of the server measures it
        t.put(
                ServerProfile.VLLM,
                queries(
                        errorRate(
                                "http_requests_total{" + CANARY
                                        + ",handler=~\"/v1/(chat/)?completions\",status=\"5xx\"}",
                                "http_requests_total{" + CANARY
                                        + ",handler=~\"/v1/(chat/)?completions\",status=\"2xx\"}"),
                        p99("vllm:e2e_request_latency_seconds_bucket", 1),
                        p99("vllm:time_to_first_token_seconds_bucket", 1),
                        p99("vllm:time_per_output_token_seconds_bucket", 1),
                        queue("vllm:num_requests_waiting")));
        t.put(
                ServerProfile.TGI,
                queries(
                        errorRate(
                                "tgi_request_failure{" + CANARY + ",err!=\"validation\"}",
                                "tgi_request_success{" + CANARY + "}"),
                        p99("tgi_request_duration_bucket", 1),
                        null,
                        p99("tgi_request_mean_time_per_token_duration_bucket", 1),
                        queue("tgi_queue_size")));
        t.put(
                ServerProfile.NIM,
                queries(
                        errorRate("request_failure_total{" + CANARY + "}", "request_success_total{" + CANARY + "}"),
                        p99("e2e_request_latency_seconds_bucket", 1),
                        p99("time_to_first_token_seconds_bucket", 1),
                        p99("time_per_output_token_seconds_bucket", 1),
                        queue("num_requests_waiting")));
        t.put(
                ServerProfile.TRITON,
                queries(
                        errorRate(
                                "nv_inference_request_failure{" + CANARY + "}",
                                "nv_inference_request_success{" + CANARY + "}"),
                        // a summary (--metrics-config summary_latencies=true): Triton's own p99 of each pod, the
                        // highest of the window; quantiles of several pods cannot be merged, the worst one is taken
                        "max(max_over_time(nv_inference_request_summary_us{" + CANARY
                                + ",quantile=\"0.99\"}[{{interval}}])) / 1000000",
                        // --metrics-config histogram_latencies=true; decoupled (streaming) models only
                        p99("nv_inference_first_response_histogram_ms_bucket", 1000),
                        null,
                        queue("nv_inference_pending_request_count")));
        return t;
    }

    private static Map<MetricTemplate, String> queries(
            String errorRate, String latencyP99, String ttftP99, String tpotP99, String queueDepth) {
        Map<MetricTemplate, String> q = new EnumMap<>(MetricTemplate.class);
        q.put(MetricTemplate.ERROR_RATE, errorRate);
        q.put(MetricTemplate.LATENCY_P99, latencyP99);
        if (ttftP99 != null) {
            q.put(MetricTemplate.TTFT_P99, ttftP99);
        }
        if (tpotP99 != null) {
            q.put(MetricTemplate.TPOT_P99, tpotP99);
        }
        if (queueDepth != null) {
            q.put(MetricTemplate.QUEUE_DEPTH, queueDepth);
        }
        return Map.copyOf(q);
    }

    /**
     * Failed over failed plus succeeded requests in the window. A server creates a counter's series at its first
     * increment, so either may be missing: each reads 0 without one, and no request at all is 0 / 0, NaN: no data.
     * (One selector over both names would not do: rate() drops the names, and two series with the same labels are
     * an error.)
     */
    private static String errorRate(String failed, String succeeded) {
        String f = "(sum(rate(" + failed + "[{{interval}}])) or vector(0))";
        return f + " / (" + f + " + (sum(rate(" + succeeded + "[{{interval}}])) or vector(0)))";
    }

    /** The canary's 99th percentile of a histogram over all its pods, in seconds ({@code divisor}: the unit). */
    private static String p99(String bucket, int divisor) {
        String q = "histogram_quantile(0.99, sum by (le) (rate(" + bucket + "{" + CANARY + "}[{{interval}}])))";
        return divisor == 1 ? q : q + " / " + divisor;
    }

    /** The mean over the window of a queue gauge, of the canary's most loaded pod (instance). */
    private static String queue(String gauge) {
        return "max(sum by (instance) (avg_over_time(" + gauge + "{" + CANARY + "}[{{interval}}])))";
    }

    /** The server a release's built-in templates read; {@code fledge} when it names none. */
    public static ServerProfile profileOf(ModelReleaseSpec spec) {
        return Optional.ofNullable(spec)
                .map(ModelReleaseSpec::getServer)
                .map(s -> s.getProfile())
                .orElse(ServerProfile.FLEDGE);
    }

    /** The query of a template on a server, or empty when that server has no metric for it. */
    public static Optional<String> of(ServerProfile profile, MetricTemplate template) {
        return Optional.ofNullable(TABLE.get(profile).get(template));
    }

    /** Why a template is refused on a server: names both, and what the server offers instead. */
    public static String refusal(ServerProfile profile, MetricTemplate template) {
        String offered = TABLE.get(profile).keySet().stream()
                .sorted()
                .map(MetricTemplate::wireName)
                .collect(Collectors.joining(", "));
        return "server profile " + profile.wireName() + " has no metric for template " + template.wireName()
                + " (it has " + offered + "; docs/servers.md); write a query instead";
    }
}
