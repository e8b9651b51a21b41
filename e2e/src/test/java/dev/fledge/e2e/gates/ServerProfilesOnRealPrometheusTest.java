package dev.fledge.e2e.gates;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import com.fasterxml.jackson.databind.ObjectMapper;
import dev.fledge.api.ModelRelease;
import dev.fledge.api.spec.AnalysisSpec;
import dev.fledge.api.spec.MetricSpec;
import dev.fledge.api.spec.MetricTemplate;
import dev.fledge.api.spec.ModelReleaseSpec;
import dev.fledge.api.spec.ModelSpec;
import dev.fledge.api.spec.ServerProfile;
import dev.fledge.api.spec.ServerSpec;
import dev.fledge.api.spec.UpstreamSpec;
import dev.fledge.api.status.Verdict;
import dev.fledge.core.rollout.GateVerdict;
import dev.fledge.core.rollout.PlanResolver;
import dev.fledge.core.rollout.Stage;
import dev.fledge.operator.gates.GateContext;
import dev.fledge.operator.gates.metric.HttpPrometheus;
import dev.fledge.operator.gates.metric.MetricGate;
import dev.fledge.operator.gates.metric.ProfileQueries;
import dev.fledge.operator.gates.metric.PrometheusSettings;
import dev.fledge.operator.workload.DesiredDeployment;
import dev.fledge.operator.workload.ServerDefaults;
import dev.fledge.operator.workload.ServingConfig;
import io.fabric8.kubernetes.api.model.ObjectMetaBuilder;
import io.fabric8.kubernetes.api.model.PodTemplateSpec;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.atomic.AtomicReference;
import java.util.stream.Stream;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Tag;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.TestInstance;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.Arguments;
import org.junit.jupiter.params.provider.MethodSource;

/**
 * Issue 17 part 4: every built-in template of the vLLM, TGI, NIM and Triton profiles (and Fledge's) on a real
 * Prometheus (Debian's, {@code make prometheus}) scraping, per server, a good and a bad canary pod ({@link ServerExposition}: that server's
 * metric names, types, units and own labels). The pods do not know Fledge's labels: Prometheus adds release, track and
 * version from the pod labels by the scrape job of docs/servers.md, whose {@code relabel_configs} and {@code
 * metric_relabel_configs} are read from that page and run unchanged. The targets are static, so each carries the
 * {@code __meta_kubernetes_*} labels Kubernetes service discovery would give it.
 */
@Tag("prometheus")
@TestInstance(TestInstance.Lifecycle.PER_CLASS)
class ServerProfilesOnRealPrometheusTest {
    /** Fledge's own server too: its release and version labels lose to the pod's, and its series are still kept. */
    static final List<ServerProfile> SERVERS = List.of(
            ServerProfile.FLEDGE, ServerProfile.VLLM, ServerProfile.TGI, ServerProfile.NIM, ServerProfile.TRITON);

    /** The version of the Triton pod built by the operator ({@link #tritonPod}). */
    static final String TRITON_AS_BUILT = "triton-as-built";
    /** The version of a Triton pod built as {@link #TRITON_AS_BUILT} but with NIM's metrics path. */
    static final String TRITON_WRONG_PATH = "triton-wrong-path";

    static final Map<MetricTemplate, Double> MAX = Map.of(
            MetricTemplate.ERROR_RATE, 0.05,
            MetricTemplate.LATENCY_P99, 2.0,
            MetricTemplate.TTFT_P99, 0.5,
            MetricTemplate.TPOT_P99, 0.1,
            MetricTemplate.QUEUE_DEPTH, 10.0);
    static final ObjectMapper YAML = DocsScrapeJob.YAML;

    Path dir;
    final List<ServerExposition> pods = new ArrayList<>();
    RealProcess prometheus;

    @BeforeAll
    void start() throws Exception {
        dir = Files.createTempDirectory("fledge-server-profiles");
        List<Map<String, Object>> targets = new ArrayList<>();
        for (ServerProfile server : SERVERS) {
            for (boolean bad : new boolean[] {false, true}) {
                ServerExposition pod = new ServerExposition(server, bad);
                pods.add(pod);
                targets.add(target(pod, version(server, bad)));
            }
        }
        // a pod of the release without its track and version labels, whose series carry their own version
        ServerExposition unlabelled = new ServerExposition(ServerProfile.FLEDGE, false);
        pods.add(unlabelled);
        Map<String, Object> withoutLabels = target(unlabelled, "ignored");
        @SuppressWarnings("unchecked")
        Map<String, String> labels = new LinkedHashMap<>((Map<String, String>) withoutLabels.get("labels"));
        labels.remove("__meta_kubernetes_pod_label_fledge_dev_track");
        labels.remove("__meta_kubernetes_pod_label_fledge_dev_version");
        labels.put("__meta_kubernetes_pod_name", "chat-unlabelled");
        targets.add(Map.of("targets", withoutLabels.get("targets"), "labels", labels));
        // a Triton pod as the operator builds it: the OpenAI-compatible frontend serves Triton's metrics on its port
        ServerExposition frontend = new ServerExposition(ServerProfile.TRITON, false);
        pods.add(frontend);
        targets.addAll(targetsOf(tritonPod(frontend.port(), TRITON_AS_BUILT, "/metrics")));
        // and one whose annotated path the server does not serve: no data, unless the path rule were ignored
        ServerExposition wrongPath = new ServerExposition(ServerProfile.TRITON, false);
        pods.add(wrongPath);
        targets.addAll(targetsOf(tritonPod(wrongPath.port(), TRITON_WRONG_PATH, "/v1/metrics")));
        Map<String, Object> job = new LinkedHashMap<>(DocsScrapeJob.read());
        job.remove("kubernetes_sd_configs");
        job.put("scrape_interval", "1s");
        job.put("scrape_timeout", "900ms");
        job.put("static_configs", targets);
        String entries = YAML.writeValueAsString(List.of(job)).replaceAll("(?m)^", "  ");
        prometheus = RealProcess.prometheus(entries, dir);
    }

    @AfterAll
    void stop() {
        if (prometheus != null) {
            prometheus.close();
        }
        pods.forEach(ServerExposition::close);
        RealProcess.deleteTree(dir);
    }

    static String version(ServerProfile server, boolean bad) {
        return server.wireName() + (bad ? "-bad" : "-good");
    }

    /**
     * The pod template the operator builds for a release of Triton's OpenAI-compatible frontend behind the sidecar,
     * configured as docs/servers.md says, but on {@code port} instead of 9000, and with {@code metricsPath}.
     */
    static PodTemplateSpec tritonPod(int port, String version, String metricsPath) {
        ModelRelease mr = new ModelRelease();
        mr.setMetadata(
                new ObjectMetaBuilder().withName("chat").withNamespace("ml").build());
        mr.setSpec(new ModelReleaseSpec()
                .withModel(new ModelSpec()
                        .withName("chat")
                        .withVersion(version)
                        .withUri("https://models.example/chat.zip"))
                .withServer(new ServerSpec()
                        .withImage("nvcr.io/nvidia/tritonserver:25.01-vllm-python-py3")
                        .withProfile(ServerProfile.TRITON)
                        .withUpstream(new UpstreamSpec()
                                .withPort(port)
                                .withReadinessPath("/health/ready")
                                .withMetricsPath(metricsPath))));
        ServerDefaults defaults = new ServerDefaults("fledge/model-server:test", 8080);
        return new DesiredDeployment(defaults)
                .build(mr, "canary", new ServingConfig(defaults).of(mr), 1)
                .getSpec()
                .getTemplate();
    }

    /**
     * The targets the pod role of Kubernetes service discovery gives for the other server's container of {@code pod}:
     * one per declared port, at 127.0.0.1, with the pod's labels and annotations as {@code __meta_kubernetes_pod_*}.
     */
    static List<Map<String, Object>> targetsOf(PodTemplateSpec pod) {
        Map<String, String> meta = new LinkedHashMap<>();
        meta.put("__meta_kubernetes_namespace", "ml");
        meta.put(
                "__meta_kubernetes_pod_name",
                "chat-canary-" + pod.getMetadata().getLabels().get("fledge.dev/version"));
        pod.getMetadata().getLabels().forEach((k, v) -> meta.put("__meta_kubernetes_pod_label_" + sdName(k), v));
        pod.getMetadata()
                .getAnnotations()
                .forEach((k, v) -> meta.put("__meta_kubernetes_pod_annotation_" + sdName(k), v));
        List<Map<String, Object>> out = new ArrayList<>();
        pod.getSpec().getContainers().stream()
                .filter(c -> c.getName().equals("model-server"))
                .flatMap(c -> c.getPorts().stream())
                .forEach(port -> {
                    Map<String, String> labels = new LinkedHashMap<>(meta);
                    labels.put("__meta_kubernetes_pod_container_port_name", port.getName());
                    out.add(Map.of("targets", List.of("127.0.0.1:" + port.getContainerPort()), "labels", labels));
                });
        return out;
    }

    /** A label or annotation key as Prometheus' service discovery spells it in a label name. */
    static String sdName(String key) {
        return key.replaceAll("[^a-zA-Z0-9_]", "_");
    }

    /** A static target with the labels the pod role of Kubernetes service discovery gives a model pod. */
    static Map<String, Object> target(ServerExposition pod, String version) {
        Map<String, String> labels = new LinkedHashMap<>();
        labels.put("__meta_kubernetes_namespace", "ml");
        labels.put("__meta_kubernetes_pod_name", "chat-canary-" + version);
        labels.put("__meta_kubernetes_pod_container_port_name", "http");
        labels.put("__meta_kubernetes_pod_label_fledge_dev_release", "chat");
        labels.put("__meta_kubernetes_pod_label_fledge_dev_track", "canary");
        labels.put("__meta_kubernetes_pod_label_fledge_dev_version", version);
        return Map.of("targets", List.of("127.0.0.1:" + pod.port()), "labels", labels);
    }

    static Stream<Arguments> everyTemplateOfEveryServer() {
        return SERVERS.stream()
                .flatMap(s -> Stream.of(MetricTemplate.values())
                        .filter(t -> ProfileQueries.of(s, t).isPresent())
                        .map(t -> Arguments.of(s, t)));
    }

    @ParameterizedTest(name = "{0} {1}")
    @MethodSource("everyTemplateOfEveryServer")
    void aGoodCanaryPassesABadOneFailsAndNoDataIsInconclusive(ServerProfile server, MetricTemplate template) {
        MetricSpec gate = new MetricSpec()
                .withName(template.wireName())
                .withTemplate(template)
                .withMax(MAX.get(template));

        GateVerdict good = awaitVerdict(server, gate, version(server, false), Verdict.PASS);
        GateVerdict bad = awaitVerdict(server, gate, version(server, true), Verdict.FAIL);
        GateVerdict none = evaluate(server, gate, server.wireName() + "-absent");

        assertThat(good.value()).isLessThanOrEqualTo(MAX.get(template));
        assertThat(bad.value()).isGreaterThan(MAX.get(template));
        assertThat(bad.reason()).contains("above max");
        assertThat(none.verdict()).isEqualTo(Verdict.INCONCLUSIVE);
        assertThat(none.reason()).contains("no data");
    }

    /**
     * Issue 17: behind the sidecar, a server's own series come from its container's port {@code upstream} at the path
     * of the pod's annotation, not from port {@code http} as the other targets here have it. Triton's
     * OpenAI-compatible frontend serves Triton's metrics at {@code /metrics} on its API port (docs/servers.md said
     * they were only on 8002, which no target reads, so that every Triton template gate was Inconclusive): the pod
     * the operator builds, its ports and annotation as service discovery gives them, scraped by the docs' job, gives
     * the Triton templates data.
     */
    @Test
    void aTritonPodAsTheOperatorBuildsItIsScrapedOnItsFrontendsPort() {
        MetricSpec gate = new MetricSpec()
                .withName("error-rate")
                .withTemplate(MetricTemplate.ERROR_RATE)
                .withMax(MAX.get(MetricTemplate.ERROR_RATE));

        GateVerdict verdict = awaitVerdict(ServerProfile.TRITON, gate, TRITON_AS_BUILT, Verdict.PASS);
        // scrapes have happened; the pod whose annotation names a path its server does not serve gave nothing
        GateVerdict wrongPath = evaluate(ServerProfile.TRITON, gate, TRITON_WRONG_PATH);

        assertThat(verdict.value()).isLessThanOrEqualTo(MAX.get(MetricTemplate.ERROR_RATE));
        assertThat(wrongPath.verdict()).isEqualTo(Verdict.INCONCLUSIVE);
        assertThat(wrongPath.reason()).contains("no data");
    }

    /**
     * A pod without all three of the operator's labels is not scraped: otherwise its series would keep the version
     * it reports itself ("self-reported", ServerExposition's Fledge server), which no pod label overrides.
     */
    @Test
    void aPodWithoutItsVersionLabelIsNotCountedUnderTheVersionItReports() {
        MetricSpec gate = new MetricSpec()
                .withName("error-rate")
                .withTemplate(MetricTemplate.ERROR_RATE)
                .withMax(MAX.get(MetricTemplate.ERROR_RATE));
        // the labelled Fledge pods are scraped (so scrapes have happened) ...
        awaitVerdict(ServerProfile.FLEDGE, gate, version(ServerProfile.FLEDGE, false), Verdict.PASS);

        // ... and nothing answers for the version the unlabelled pod reports
        GateVerdict forged = evaluate(ServerProfile.FLEDGE, gate, "self-reported");
        assertThat(forged.verdict()).isEqualTo(Verdict.INCONCLUSIVE);
        assertThat(forged.reason()).contains("no data");
    }

    GateVerdict awaitVerdict(ServerProfile server, MetricSpec gate, String version, Verdict wanted) {
        AtomicReference<GateVerdict> last = new AtomicReference<>();
        // the first look at once (with a poll interval, Awaitility would wait it out first): after the first test the
        // scrapes are there, and each of the 20 would otherwise wait 1 s twice for a verdict it already has
        await().atMost(Duration.ofSeconds(60))
                .pollDelay(Duration.ZERO)
                .pollInterval(Duration.ofSeconds(1))
                .alias(server + " " + gate.getName() + " on " + version + " to give " + wanted + " (last: " + last
                        + ")")
                .until(() -> {
                    last.set(evaluate(server, gate, version));
                    return last.get().verdict() == wanted;
                });
        return last.get();
    }

    GateVerdict evaluate(ServerProfile server, MetricSpec gate, String canaryVersion) {
        ModelRelease mr = new ModelRelease();
        mr.setMetadata(
                new ObjectMetaBuilder().withName("chat").withNamespace("ml").build());
        mr.setSpec(new ModelReleaseSpec()
                .withModel(new ModelSpec()
                        .withName("chat")
                        .withVersion(canaryVersion)
                        .withUri("https://models.example/chat.zip"))
                .withServer(new ServerSpec().withProfile(server))
                .withAnalysis(new AnalysisSpec().withInterval("10s").withMetrics(List.of(gate))));
        var plan = new PlanResolver(Duration.ofMinutes(1)).resolve(mr.getSpec());
        var ctx = new GateContext(mr, plan, Stage.CLOSED, "closed", "stable-1", canaryVersion, Instant.now());
        var backend = new HttpPrometheus(PrometheusSettings.of(prometheus.url()).withTimeout(Duration.ofSeconds(3)));
        return new MetricGate(gate, backend).evaluate(ctx);
    }
}
