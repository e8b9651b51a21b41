package dev.fledge.helm;

import static org.assertj.core.api.Assertions.assertThat;

import dev.fledge.testsupport.FledgeChart;
import io.fabric8.kubernetes.api.model.GenericKubernetesResource;
import io.fabric8.kubernetes.api.model.HasMetadata;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;

/**
 * Prometheus must scrape the model pods the operator creates, or every gate stays Inconclusive;
 * and the operator's own {@code namespace} label must survive prometheus-operator's relabelling.
 */
class ScrapeMonitorsTest {

    @SuppressWarnings("unchecked")
    private static Map<String, Object> spec(HasMetadata resource) {
        return (Map<String, Object>)
                ((GenericKubernetesResource) resource).getAdditionalProperties().get("spec");
    }

    @SuppressWarnings("unchecked")
    private static Map<String, Object> firstEndpoint(HasMetadata monitor, String key) {
        return ((List<Map<String, Object>>) spec(monitor).get(key)).get(0);
    }

    @Test
    void theOperatorsServiceMonitorKeepsItsNamespaceLabel() {
        HasMetadata monitor = ChartUnderTest.render("serviceMonitor: {enabled: true}\n")
                .ofKind("ServiceMonitor")
                .get(0);

        assertThat(firstEndpoint(monitor, "endpoints")).containsEntry("honorLabels", true);
    }

    @Test
    void modelPodsAreScrapedWheneverServiceMonitorsAreOnWithTheNamespaceFromTheTarget() {
        FledgeChart chart =
                ChartUnderTest.render("serviceMonitor: {enabled: true, labels: {release: kube-prometheus-stack}}\n");
        HasMetadata pods = chart.ofKind("PodMonitor").get(0);

        assertThat(pods.getMetadata().getLabels()).containsEntry("release", "kube-prometheus-stack");
        assertThat(firstEndpoint(pods, "podMetricsEndpoints"))
                .containsEntry("port", "http")
                .containsEntry("path", "/metrics")
                .containsEntry("honorLabels", false);
        assertThat(spec(pods).get("namespaceSelector")).isEqualTo(Map.of("any", true));
        assertThat(spec(pods).get("selector").toString()).contains("fledge.dev/release");
    }

    @Test
    void aNamespaceScopedInstallScrapesOnlyItsNamespaces() {
        HasMetadata pods = ChartUnderTest.render(
                        "watchNamespaces: [team-a, team-b]\nmodelPodMonitor: {enabled: true}\n")
                .ofKind("PodMonitor")
                .get(0);

        assertThat(spec(pods).get("namespaceSelector")).isEqualTo(Map.of("matchNames", List.of("team-a", "team-b")));
    }

    @Test
    void thePodMonitorCanBeTurnedOffOnItsOwnAndIsOffWithoutPrometheusOperator() {
        assertThat(ChartUnderTest.render("{}\n").ofKind("PodMonitor")).isEmpty();
        assertThat(ChartUnderTest.render("serviceMonitor: {enabled: true}\nmodelPodMonitor: {enabled: false}\n")
                        .ofKind("PodMonitor"))
                .isEmpty();
    }

    @Test
    void aShortPodScrapeIntervalNeverGetsALongerScrapeTimeout() {
        // Prometheus refuses a scrape job whose timeout is longer than its interval
        Map<String, Object> endpoint = firstEndpoint(
                ChartUnderTest.render("serviceMonitor: {enabled: true}\nmodelPodMonitor: {interval: 5s}\n")
                        .ofKind("PodMonitor")
                        .get(0),
                "podMetricsEndpoints");

        assertThat(endpoint).containsEntry("interval", "5s").doesNotContainKey("scrapeTimeout");
        assertThat(firstEndpoint(
                        ChartUnderTest.render(
                                        "serviceMonitor: {enabled: true}\nmodelPodMonitor: {interval: 30s, scrapeTimeout: 20s}\n")
                                .ofKind("PodMonitor")
                                .get(0),
                        "podMetricsEndpoints"))
                .containsEntry("scrapeTimeout", "20s");
    }

    @Test
    void theOperatorIsToldTheScrapeIntervalThePodMonitorUses() {
        FledgeChart chart =
                ChartUnderTest.render("serviceMonitor: {enabled: true}\nmodelPodMonitor: {interval: 30s}\n");

        assertThat(firstEndpoint(chart.ofKind("PodMonitor").get(0), "podMetricsEndpoints"))
                .containsEntry("interval", "30s");
        assertThat(chart.operatorEnv("FLEDGE_PROMETHEUS_SCRAPE_INTERVAL")).isEqualTo("30s");
        assertThat(ChartUnderTest.render("{}\n").operatorEnv("FLEDGE_PROMETHEUS_SCRAPE_INTERVAL"))
                .isEqualTo("15s");
    }
    /**
     * Review of issue 15, LOW 2: a tenant may choose its model image, and the shared Prometheus scrapes every model
     * pod; without limits one pod could flood it with series or huge labels. The limits are per target, so a pod past
     * them fails only its own scrape.
     */
    @Test
    void thePodMonitorLimitsWhatOneModelPodMayAddToTheSharedPrometheus() {
        Map<String, Object> spec = spec(ChartUnderTest.render("serviceMonitor: {enabled: true}\n")
                .ofKind("PodMonitor")
                .get(0));

        assertThat(spec)
                .containsEntry("sampleLimit", 1500)
                .containsEntry("labelLimit", 64)
                .containsEntry("labelNameLengthLimit", 128)
                .containsEntry("labelValueLengthLimit", 1024)
                .doesNotContainKey("targetLimit");
    }

    @Test
    void thePodMonitorLimitsCanBeChanged() {
        Map<String, Object> spec = spec(ChartUnderTest.render("serviceMonitor: {enabled: true}\n"
                        + "modelPodMonitor: {sampleLimit: 2000000, labelLimit: 30, labelNameLengthLimit: 0,"
                        + " labelValueLengthLimit: 4096}\n")
                .ofKind("PodMonitor")
                .get(0));

        assertThat(spec)
                .containsEntry("sampleLimit", 2000000)
                .containsEntry("labelLimit", 30)
                .containsEntry("labelNameLengthLimit", 0)
                .containsEntry("labelValueLengthLimit", 4096);
    }

    /**
     * Review of 2026-12-01 (LOW 5): sampleLimit counts one scrape, so a pod that exports new names or label values at
     * every scrape would still add series without end. The PodMonitor keeps only the series the gates read, with the
     * label values Fledge's server uses. The rules are applied here as Prometheus applies them (keep: the source
     * labels joined by ';' must match the whole regex; labelkeep: other label names are removed).
     */
    @Test
    void thePodMonitorKeepsOnlyTheSeriesTheGatesReadWithTheServersOwnLabelValues() {
        List<Map<String, Object>> rules = relabelings(ChartUnderTest.render("serviceMonitor: {enabled: true}\n"));

        Map<String, String> base =
                Map.of("namespace", "team-a", "pod", "p", "job", "j", "release", "r", "version", "2");
        assertThat(List.of(
                        sample("fledge_model_requests_total", base, "audience", "public", "outcome", "model_limit"),
                        sample(
                                "fledge_model_request_duration_seconds_bucket",
                                base,
                                "audience",
                                "internal",
                                "le",
                                "0.5"),
                        sample("fledge_model_request_duration_seconds_count", base, "audience", "closed"),
                        sample("fledge_model_outputs_total", base, "audience", "public", "verdict", "flagged"),
                        sample("fledge_model_outputs_total", base, "audience", "public", "verdict", "unjudged"),
                        sample("fledge_model_output_flags_total", base, "audience", "public", "category", "violence"),
                        sample("fledge_model_feedback_total", base, "audience", "internal", "rating", "negative"),
                        sample("fledge_model_generated_tokens_total", base, "audience", "evaluation")))
                .allSatisfy(s -> assertThat(relabel(rules, s)).as("%s", s).isEqualTo(s));
        assertThat(List.of(
                        sample("fledge_model_requests_total", base, "audience", "public", "outcome", "a8f3c2e1"),
                        sample("fledge_model_requests_total", base, "audience", "user-4711", "outcome", "success"),
                        sample("fledge_model_outputs_total", base, "audience", "public", "verdict", "v-99"),
                        sample("fledge_model_feedback_total", base, "audience", "public", "rating", "r-17"),
                        sample("fledge_model_session_0042_total", base, "audience", "public"),
                        sample("jvm_memory_used_bytes", base, "area", "heap")))
                .allSatisfy(s -> assertThat(relabel(rules, s)).as("%s", s).isNull());
        assertThat(relabel(rules, sample("fledge_model_requests_total", base, "audience", "public", "session", "42")))
                .doesNotContainKey("session")
                .containsEntry("audience", "public");
    }

    /** Every fledge_model_* series docs/model-server.md names (the gates' and the built-in queries') is kept. */
    @Test
    void everyModelMetricTheDocsNameIsKept() throws java.io.IOException {
        List<Map<String, Object>> rules = relabelings(ChartUnderTest.render("serviceMonitor: {enabled: true}\n"));
        String doc = java.nio.file.Files.readString(java.nio.file.Path.of("..", "docs", "model-server.md"));
        var names = java.util.regex.Pattern.compile("fledge_model_[a-z_]+")
                .matcher(doc)
                .results()
                .map(java.util.regex.MatchResult::group)
                .filter(n -> n.endsWith("_total") || n.endsWith("_seconds") || n.endsWith("_bucket"))
                .map(n -> n.endsWith("_seconds") ? n + "_bucket" : n)
                .distinct()
                .toList();
        assertThat(names).contains("fledge_model_requests_total", "fledge_model_request_duration_seconds_bucket");
        assertThat(names)
                .allSatisfy(n -> assertThat(relabel(rules, sample(n, Map.of(), "audience", "public")))
                        .as(n)
                        .isNotNull());
    }

    /**
     * Issue 17 part 4: vLLM, TGI, NIM and Triton do not know Fledge's labels; release, track and version come from
     * the pod's labels, which the operator sets.
     */
    @Test
    void releaseTrackAndVersionComeFromThePodsLabels() {
        List<Map<String, Object>> rules = targetRelabelings(ChartUnderTest.render("serviceMonitor: {enabled: true}\n"));

        assertThat(rules)
                // the upstream target's path (theUpstreamServersOwnMetricsAreASecondTarget...) sets no series label
                .filteredOn(r -> !"__metrics_path__".equals(r.get("targetLabel")))
                .containsExactly(
                        Map.of(
                                "sourceLabels",
                                        List.of(
                                                "__meta_kubernetes_pod_label_fledge_dev_release",
                                                "__meta_kubernetes_pod_label_fledge_dev_track",
                                                "__meta_kubernetes_pod_label_fledge_dev_version"),
                                "regex", ".+;.+;.+",
                                "action", "keep"),
                        Map.of(
                                "sourceLabels", List.of("__meta_kubernetes_pod_label_fledge_dev_release"),
                                "targetLabel", "release",
                                "action", "replace"),
                        Map.of(
                                "sourceLabels", List.of("__meta_kubernetes_pod_label_fledge_dev_track"),
                                "targetLabel", "track",
                                "action", "replace"),
                        Map.of(
                                "sourceLabels", List.of("__meta_kubernetes_pod_label_fledge_dev_version"),
                                "targetLabel", "version",
                                "action", "replace"));
    }

    /** The series of the other servers' profiles (docs/servers.md) are kept, with the labels that keep them apart. */
    @Test
    void theSeriesOfEveryServerProfileAreKeptAndTheirOtherSeriesDropped() {
        List<Map<String, Object>> rules = relabelings(ChartUnderTest.render("serviceMonitor: {enabled: true}\n"));
        Map<String, String> base = Map.of(
                "namespace", "team-a", "pod", "p", "job", "j", "release", "r", "track", "canary", "version", "2");
        String vllm = "vllm:";
        assertThat(List.of(
                        sample(
                                "http_requests_total",
                                base,
                                "handler",
                                "/v1/completions",
                                "method",
                                "POST",
                                "status",
                                "5xx"),
                        sample(
                                "http_requests_total",
                                base,
                                "handler",
                                "/v1/chat/completions",
                                "method",
                                "POST",
                                "status",
                                "2xx"),
                        sample(
                                vllm + "e2e_request_latency_seconds_bucket",
                                base,
                                "model_name",
                                "m",
                                "engine",
                                "0",
                                "le",
                                "0.3"),
                        sample(vllm + "time_to_first_token_seconds_count", base, "model_name", "m", "engine", "1"),
                        sample(
                                vllm + "time_per_output_token_seconds_bucket",
                                base,
                                "model_name",
                                "m",
                                "engine",
                                "0",
                                "le",
                                "0.01"),
                        sample(vllm + "num_requests_waiting", base, "model_name", "m", "engine", "0"),
                        sample("tgi_request_success", base),
                        sample("tgi_request_failure", base, "err", "generation"),
                        sample("tgi_request_duration_bucket", base, "le", "0.5"),
                        sample("tgi_request_mean_time_per_token_duration_sum", base),
                        sample("tgi_queue_size", base),
                        sample("request_success_total", base, "model_name", "m"),
                        sample("request_failure_total", base, "model_name", "m"),
                        sample("e2e_request_latency_seconds_bucket", base, "model_name", "m", "le", "1.0"),
                        sample("time_to_first_token_seconds_bucket", base, "model_name", "m", "le", "1.0"),
                        sample("time_per_output_token_seconds_bucket", base, "model_name", "m", "le", "1.0"),
                        sample("num_requests_waiting", base, "model_name", "m"),
                        sample("nv_inference_request_success", base, "model", "m"),
                        sample("nv_inference_request_failure", base, "model", "m", "reason", "BACKEND"),
                        sample("nv_inference_request_summary_us", base, "model", "m", "quantile", "0.99"),
                        sample("nv_inference_first_response_histogram_ms_bucket", base, "model", "m", "le", "100"),
                        sample("nv_inference_pending_request_count", base, "model", "m")))
                .allSatisfy(s -> assertThat(relabel(rules, s)).as("%s", s).isEqualTo(s));
        assertThat(List.of(
                        sample("http_requests_total", base, "handler", "/metrics", "method", "GET", "status", "2xx"),
                        sample(
                                "http_requests_total",
                                base,
                                "handler",
                                "/v1/completions",
                                "method",
                                "X-17",
                                "status",
                                "2xx"),
                        sample(
                                "http_requests_total",
                                base,
                                "handler",
                                "/v1/completions",
                                "method",
                                "POST",
                                "status",
                                "503"),
                        sample(vllm + "num_requests_waiting", base, "audience", "public"),
                        sample(vllm + "cache_config_info", base, "block_size", "16"),
                        sample("request_success_created", base, "model_name", "m"),
                        sample("nv_gpu_utilization", base, "gpu_uuid", "GPU-1")))
                .allSatisfy(s -> assertThat(relabel(rules, s)).as("%s", s).isNull());
        assertThat(relabel(
                        rules,
                        sample("nv_inference_pending_request_count", base, "model", "m", "exported_version", "1")))
                .doesNotContainKey("exported_version");
    }

    /**
     * The plain Prometheus job of docs/servers.md has the chart's rules, so what ServerProfilesOnRealPrometheusTest
     * runs on a real Prometheus is what the chart ships.
     */
    @Test
    @SuppressWarnings("unchecked")
    void thePlainScrapeJobInTheDocsHasTheChartsRules() throws java.io.IOException {
        FledgeChart chart = ChartUnderTest.render("serviceMonitor: {enabled: true}\n");
        String doc = java.nio.file.Files.readString(java.nio.file.Path.of("..", "docs", "servers.md"));
        var m = java.util.regex.Pattern.compile("```yaml\n(scrape_configs:.*?)```", java.util.regex.Pattern.DOTALL)
                .matcher(doc);
        assertThat(m.find()).as("docs/servers.md shows a scrape job").isTrue();
        Map<String, Object> job = ((List<Map<String, Object>>)
                        io.fabric8.kubernetes.client.utils.Serialization.unmarshal(m.group(1), Map.class)
                                .get("scrape_configs"))
                .get(0);

        var jobRules = (List<Map<String, Object>>) job.get("metric_relabel_configs");
        assertThat(jobRules.subList(1, jobRules.size())).isEqualTo(snakeCase(relabelings(chart)));
        // first, as the PodMonitor's upstream endpoint: no fledge_model_* from port upstream (label endpoint, as the
        // PodMonitor's, set from the port name)
        Map<String, Object> drop = jobRules.get(0);
        List<Map<String, Object>> dropRule = List.of(Map.of(
                "sourceLabels", drop.get("source_labels"), "regex", drop.get("regex"), "action", drop.get("action")));
        assertThat(relabel(dropRule, sample("fledge_model_feedback_total", Map.of("endpoint", "upstream"))))
                .isNull();
        assertThat(relabel(dropRule, sample("fledge_model_feedback_total", Map.of("endpoint", "http"))))
                .isNotNull();
        assertThat(relabel(dropRule, sample("vllm:num_requests_waiting", Map.of("endpoint", "upstream"))))
                .isNotNull();
        assertThat((List<Map<String, Object>>) job.get("relabel_configs"))
                .contains(Map.of(
                        "source_labels",
                        List.of("__meta_kubernetes_pod_container_port_name"),
                        "target_label",
                        "endpoint"));
        assertThat((List<Map<String, Object>>) job.get("relabel_configs"))
                .containsSubsequence(snakeCase(targetRelabelings(chart)));
        assertThat(job)
                .containsEntry("honor_labels", false)
                .containsEntry("sample_limit", 1500)
                .containsEntry("label_limit", 64);
    }

    /**
     * Issue 17: behind the Fledge sidecar (spec.server.upstream) the pod's port http is the sidecar's, so the server's
     * own series (vllm:*, tgi_*...) that the server profiles read come from a second target on the model container's
     * port upstream, at the path the operator writes in the pod's annotation, with the same labels and keep rules.
     */
    @Test
    @SuppressWarnings("unchecked")
    void theUpstreamServersOwnMetricsAreASecondTargetWithTheSameRulesAtTheAnnotatedPath() {
        var endpoints = (List<Map<String, Object>>) spec(ChartUnderTest.render("serviceMonitor: {enabled: true}\n")
                        .ofKind("PodMonitor")
                        .get(0))
                .get("podMetricsEndpoints");

        assertThat(endpoints).extracting(e -> e.get("port")).containsExactly("http", "upstream");
        Map<String, Object> http = endpoints.get(0);
        Map<String, Object> upstream = endpoints.get(1);
        assertThat(upstream).containsEntry("honorLabels", false).containsEntry("relabelings", http.get("relabelings"));
        assertThat((List<Map<String, Object>>) upstream.get("metricRelabelings"))
                .endsWith(((List<Map<String, Object>>) http.get("metricRelabelings")).toArray(Map[]::new));
        var pathRule = ((List<Map<String, Object>>) upstream.get("relabelings"))
                .stream()
                        .filter(r -> "__metrics_path__".equals(r.get("targetLabel")))
                        .toList();
        assertThat(pathRule).singleElement().satisfies(r -> {
            assertThat(r.get("sourceLabels"))
                    .isEqualTo(List.of(
                            "__meta_kubernetes_pod_container_port_name",
                            "__meta_kubernetes_pod_annotation_fledge_dev_upstream_metrics_path"));
            assertThat("upstream;/stats").matches(String.valueOf(r.get("regex")));
            assertThat("http;/stats").as("the sidecar keeps /metrics").doesNotMatch(String.valueOf(r.get("regex")));
        });
    }

    /**
     * Security review (upstream): the gates sum fledge_model_* series (requests, outputs, feedback), which are the
     * sidecar's; the other server runs the tenant's code, so its target may not publish them, whatever the keep rules.
     */
    @Test
    @SuppressWarnings("unchecked")
    void theUpstreamTargetCannotPublishTheSeriesTheGatesSum() {
        Map<String, String> base = Map.of("namespace", "team-a", "pod", "p", "release", "r", "version", "2");
        for (String values : List.of(
                "serviceMonitor: {enabled: true}\n",
                "serviceMonitor: {enabled: true}\nmodelPodMonitor: {metricRelabelings: []}\n")) {
            var endpoints = (List<Map<String, Object>>)
                    spec(ChartUnderTest.render(values).ofKind("PodMonitor").get(0))
                            .get("podMetricsEndpoints");
            var http = (List<Map<String, Object>>) endpoints.get(0).getOrDefault("metricRelabelings", List.of());
            var upstream = (List<Map<String, Object>>) endpoints.get(1).get("metricRelabelings");
            for (String name : List.of(
                    "fledge_model_feedback_total", "fledge_model_outputs_total", "fledge_model_requests_total")) {
                Map<String, String> fake = sample(name, base, "audience", "public", "rating", "positive");
                assertThat(relabel(http, fake))
                        .as("%s from the sidecar (%s)", name, values)
                        .isNotNull();
                assertThat(relabel(upstream, fake))
                        .as("%s from the upstream (%s)", name, values)
                        .isNull();
            }
            Map<String, String> vllm = sample("vllm:num_requests_waiting", base);
            assertThat(relabel(upstream, vllm)).as(values).isNotNull();
        }
    }

    private static List<Map<String, Object>> snakeCase(List<Map<String, Object>> rules) {
        return rules.stream()
                .map(r -> {
                    Map<String, Object> out = new java.util.LinkedHashMap<>();
                    r.forEach((k, v) -> out.put(k.replaceAll("([A-Z])", "_$1").toLowerCase(java.util.Locale.ROOT), v));
                    return out;
                })
                .toList();
    }

    @SuppressWarnings("unchecked")
    private static List<Map<String, Object>> targetRelabelings(FledgeChart chart) {
        return (List<Map<String, Object>>)
                firstEndpoint(chart.ofKind("PodMonitor").get(0), "podMetricsEndpoints")
                        .get("relabelings");
    }

    @Test
    void theKeepRulesCanBeReplacedOrTurnedOff() {
        assertThat(firstEndpoint(
                        ChartUnderTest.render(
                                        "serviceMonitor: {enabled: true}\nmodelPodMonitor: {metricRelabelings: []}\n")
                                .ofKind("PodMonitor")
                                .get(0),
                        "podMetricsEndpoints"))
                .doesNotContainKey("metricRelabelings");
        assertThat(relabelings(ChartUnderTest.render("serviceMonitor: {enabled: true}\nmodelPodMonitor:\n"
                        + "  metricRelabelings: [{sourceLabels: [__name__], regex: \"my_.*\", action: keep}]\n")))
                .hasSize(1);
    }

    @SuppressWarnings("unchecked")
    private static List<Map<String, Object>> relabelings(FledgeChart chart) {
        return (List<Map<String, Object>>)
                firstEndpoint(chart.ofKind("PodMonitor").get(0), "podMetricsEndpoints")
                        .get("metricRelabelings");
    }

    private static Map<String, String> sample(String name, Map<String, String> base, String... labels) {
        Map<String, String> s = new java.util.TreeMap<>(base);
        s.put("__name__", name);
        for (int i = 0; i < labels.length; i += 2) {
            s.put(labels[i], labels[i + 1]);
        }
        return s;
    }

    /** The sample after the rules, or null when a rule drops it (only the actions the chart uses). */
    @SuppressWarnings("unchecked")
    private static Map<String, String> relabel(List<Map<String, Object>> rules, Map<String, String> in) {
        Map<String, String> s = new java.util.TreeMap<>(in);
        for (Map<String, Object> rule : rules) {
            String regex = String.valueOf(rule.getOrDefault("regex", "(.*)"));
            switch (String.valueOf(rule.get("action"))) {
                case "keep" -> {
                    String value = ((List<String>) rule.get("sourceLabels"))
                            .stream().map(l -> s.getOrDefault(l, "")).collect(java.util.stream.Collectors.joining(";"));
                    if (!value.matches(regex)) {
                        return null;
                    }
                }
                case "drop" -> {
                    String value = ((List<String>) rule.get("sourceLabels"))
                            .stream().map(l -> s.getOrDefault(l, "")).collect(java.util.stream.Collectors.joining(";"));
                    if (value.matches(regex)) {
                        return null;
                    }
                }
                case "labelkeep" -> s.keySet().removeIf(l -> !l.matches(regex));
                default -> throw new IllegalArgumentException("not simulated: " + rule);
            }
        }
        return s;
    }
}
