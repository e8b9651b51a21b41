package dev.fledge.e2e.gates;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.offset;
import static org.awaitility.Awaitility.await;

import com.sun.net.httpserver.HttpServer;
import dev.fledge.api.ModelRelease;
import dev.fledge.api.spec.AnalysisSpec;
import dev.fledge.api.spec.MetricSpec;
import dev.fledge.api.spec.MetricTemplate;
import dev.fledge.api.spec.ModelReleaseSpec;
import dev.fledge.api.spec.ModelSpec;
import dev.fledge.api.status.Verdict;
import dev.fledge.core.rollout.GateVerdict;
import dev.fledge.core.rollout.PlanResolver;
import dev.fledge.core.rollout.Stage;
import dev.fledge.e2e.apiserver.RepoFiles;
import dev.fledge.operator.gates.GateContext;
import dev.fledge.operator.gates.metric.HttpPrometheus;
import dev.fledge.operator.gates.metric.MetricGate;
import dev.fledge.operator.gates.metric.PrometheusSettings;
import dev.fledge.operator.gates.metric.QueryResult;
import io.fabric8.kubernetes.api.model.ObjectMetaBuilder;
import io.fabric8.kubernetes.client.utils.Serialization;
import java.io.IOException;
import java.io.OutputStream;
import java.net.InetSocketAddress;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.concurrent.atomic.AtomicLong;
import java.util.concurrent.atomic.AtomicReference;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Tag;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.TestInstance;

/**
 * Issue 15, finding 9, on a real Prometheus: A's canary fails one request in ten of those it should serve: 5 server
 * errors, 3 well-formed requests beyond its own limits (400, {@code outcome="model_limit"}: a narrower input or a lower
 * max_tokens than the stable version's) and 2 shed under load (429, {@code rejected}), while anyone floods it with
 * malformed requests (400, {@code invalid}). The counters grow as a real model server's would: per second, 90
 * success, 5 error, 3 model_limit, 2 rejected, 5000 invalid. The built-in error rate must read 0.1: not 10 / 5100
 * (the flood in the denominator), nor 5 / 95 (the canary's own refusals left out). This release has no stable
 * traffic, so all of the canary's refusals count (fail-safe).
 *
 * <p>And on real model servers (stable 1.0.0; canary 2.0.0 with the same {@code max_tokens} cap; canary 3.0.0 with a
 * lower cap, {@code FLEDGE_SERVING_MAX_TOKENS=2}) under public traffic split evenly over the tracks, half of it an
 * attacker's {@code max_tokens: 100000} that every server refuses ({@code model_limit}): the canary that refuses only
 * what the stable refuses stays under the gate, while the one refusing requests the stable serves fails it.
 */
@Tag("prometheus")
@TestInstance(TestInstance.Lifecycle.PER_CLASS)
class RefusedRequestsOnRealPrometheusTest {
    static final String SERIES =
            "fledge_model_requests_total{release=\"assistant\",version=\"2.0.0\",audience=\"public\",outcome=\"%s\"} %d\n";

    /** The analysis interval of the real model servers' release: the gate's rate() window. */
    static final String WINDOW = "30s";

    Path dir;
    HttpServer pod;
    RealProcess stable;
    RealProcess canary;
    RealProcess lowCapCanary;
    RealProcess prometheus;
    PublicTraffic traffic;
    final long started = System.nanoTime();

    @BeforeAll
    void start() throws IOException {
        dir = Files.createTempDirectory("fledge-refused");
        pod = HttpServer.create(new InetSocketAddress("127.0.0.1", 0), 0);
        pod.createContext("/metrics", ex -> {
            double seconds = (System.nanoTime() - started) / 1e9;
            String text = SERIES.formatted("success", (long) (90 * seconds))
                    + SERIES.formatted("blocked", 0L)
                    + SERIES.formatted("error", (long) (5 * seconds))
                    + SERIES.formatted("model_limit", (long) (3 * seconds))
                    + SERIES.formatted("rejected", (long) (2 * seconds))
                    + SERIES.formatted("invalid", (long) (5000 * seconds));
            byte[] body = text.getBytes(StandardCharsets.UTF_8);
            ex.getResponseHeaders().add("Content-Type", "text/plain; version=0.0.4");
            ex.sendResponseHeaders(200, body.length);
            try (OutputStream os = ex.getResponseBody()) {
                os.write(body);
            }
        });
        pod.start();
        stable = RealProcess.modelServer("v1", "1.0.0", Map.of(), dir);
        canary = RealProcess.modelServer("v1", "2.0.0", Map.of(), dir);
        lowCapCanary = RealProcess.modelServer(
                "v1", "3.0.0", Map.of("FLEDGE_SERVING_MAX_TOKENS", "2", "FLEDGE_SERVING_DEFAULT_MAX_TOKENS", "2"), dir);
        prometheus = RealProcess.prometheus(
                """
                  - job_name: model-servers
                    static_configs:
                      - targets: ['127.0.0.1:%d']
                        labels: {namespace: team-a, track: canary}
                  - job_name: real-model-servers
                    static_configs:
                      - targets: ['127.0.0.1:%d']
                        labels: {namespace: ml, track: stable}
                      - targets: ['127.0.0.1:%d', '127.0.0.1:%d']
                        labels: {namespace: ml, track: canary}
                """.formatted(pod.getAddress().getPort(), stable.port, canary.port, lowCapCanary.port), dir);
        traffic = new PublicTraffic(List.of(stable.url(), canary.url(), lowCapCanary.url()));
    }

    @AfterAll
    void stop() {
        if (traffic != null) {
            traffic.close();
        }
        for (RealProcess p : new RealProcess[] {stable, canary, lowCapCanary}) {
            if (p != null) {
                p.close();
            }
        }
        if (prometheus != null) {
            prometheus.close();
        }
        if (pod != null) {
            pod.stop(0);
        }
        RealProcess.deleteTree(dir);
    }

    @Test
    void aFloodOfMalformedRequestsDoesNotDiluteTheCanarysErrorRateWhileItsOwnRefusalsCount() {
        HttpPrometheus backend =
                new HttpPrometheus(PrometheusSettings.of(prometheus.url()).withTimeout(Duration.ofSeconds(3)));
        MetricSpec errorRate = new MetricSpec()
                .withName("error-rate")
                .withTemplate(MetricTemplate.ERROR_RATE)
                .withMax(0.08);
        AtomicReference<GateVerdict> last = new AtomicReference<>();
        await().atMost(Duration.ofSeconds(60))
                .pollInterval(Duration.ofSeconds(1))
                .alias("error-rate gate to read the rate of served requests (last: " + last + ")")
                .until(() -> {
                    last.set(new MetricGate(errorRate, backend)
                            .evaluate(NamespaceConfinementOnRealPrometheusTest.context("team-a", "public")));
                    return last.get().value() != null;
                });
        GateVerdict v = last.get();
        assertThat(v.verdict()).as(v.reason()).isEqualTo(Verdict.FAIL);
        assertThat(v.value()).isCloseTo(0.1, offset(0.02));
        // the controls: over every outcome, the flood would have hidden the errors under the 8% limit; with the
        // model's own refusals left out (the query before), the canary would pass at about 5.3%
        assertThat(backend.query(
                        "sum(rate(fledge_model_requests_total{namespace=\"team-a\",outcome=~\"error|model_limit|rejected\"}[10s]))"
                                + " / sum(rate(fledge_model_requests_total{namespace=\"team-a\"}[10s]))"))
                .isInstanceOfSatisfying(
                        QueryResult.Value.class, all -> assertThat(all.value()).isLessThan(0.01));
        assertThat(
                        backend.query(
                                "sum(rate(fledge_model_requests_total{namespace=\"team-a\",outcome=\"error\"}[10s]))"
                                        + " / sum(rate(fledge_model_requests_total{namespace=\"team-a\",outcome=~\"success|blocked|error\"}[10s]))"))
                .isInstanceOfSatisfying(
                        QueryResult.Value.class,
                        served -> assertThat(served.value()).isCloseTo(0.053, offset(0.02)));
    }

    @Test
    void aFloodOfRequestsOverEveryServersCapDoesNotFailTheCanaryButRefusingWhatTheStableServesDoes() {
        HttpPrometheus backend =
                new HttpPrometheus(PrometheusSettings.of(prometheus.url()).withTimeout(Duration.ofSeconds(3)));
        MetricSpec errorRate = new MetricSpec()
                .withName("error-rate")
                .withTemplate(MetricTemplate.ERROR_RATE)
                .withMax(0.08);
        awaitFullWindowsOfTraffic(backend);

        // (a) the canary with the stable's cap refuses the flood exactly as often as the stable: about 0, a pass,
        // while the counters it is read from hold about one refusal for each served request
        for (int i = 0; i < 5; i++) {
            GateVerdict v = new MetricGate(errorRate, backend).evaluate(context("ml", "1.0.0", "2.0.0"));
            assertThat(v.verdict())
                    .as("the canary refuses only what the stable refuses: " + v.reason())
                    .isEqualTo(Verdict.PASS);
            assertThat(v.value())
                    .as("served %s, refused %s", traffic.served, traffic.refused)
                    .isLessThan(0.03);
            sleep(Duration.ofSeconds(1));
        }
        // (b) the lower-cap canary refuses every legitimate request too, which the stable serves: about 0.5 > 0.08
        GateVerdict low = new MetricGate(errorRate, backend).evaluate(context("ml", "1.0.0", "3.0.0"));
        assertThat(low.verdict()).as(low.reason()).isEqualTo(Verdict.FAIL);
        assertThat(low.value()).as(low.reason()).isCloseTo(0.5, offset(0.1));

        // the control: counting every model_limit (the query before) the flood fails the same canary at about 0.5
        assertThat(backend.query("sum(rate(fledge_model_requests_total{namespace=\"ml\",version=\"2.0.0\","
                        + "outcome=~\"error|model_limit|rejected\"}[" + WINDOW
                        + "])) / sum(rate(fledge_model_requests_total{"
                        + "namespace=\"ml\",version=\"2.0.0\",outcome=~\"success|blocked|error|model_limit|rejected\"}["
                        + WINDOW + "]))"))
                .isInstanceOfSatisfying(
                        QueryResult.Value.class, all -> assertThat(all.value()).isCloseTo(0.5, offset(0.1)));
        // a version without traffic stays no data, not a pass
        GateVerdict none = new MetricGate(errorRate, backend).evaluate(context("ml", "1.0.0", "9.9.9"));
        assertThat(none.verdict()).as(none.reason()).isEqualTo(Verdict.INCONCLUSIVE);
        assertThat(none.reason()).contains("no data");
        assertThat(traffic.refused.get()).as("the flood was refused").isGreaterThan(100);
    }

    /**
     * examples/full.yaml's own error-rate PromQL (the text a tenant copies), run as a tenant's {@code query} against
     * the same real model servers and flood: the canary refusing only what the stable refuses passes, the lower-cap
     * one fails. Its query before counted every refusal, and the flood failed the good canary at about 0.5.
     */
    @Test
    void theFullExamplesOwnErrorRateQueryIsNotFailedByAFloodOverEveryServersCap() throws IOException {
        HttpPrometheus backend =
                new HttpPrometheus(PrometheusSettings.of(prometheus.url()).withTimeout(Duration.ofSeconds(3)));
        MetricSpec example;
        try (var in = Files.newInputStream(RepoFiles.repo().resolve("examples/full.yaml"))) {
            example = Serialization.unmarshal(in, ModelRelease.class).getSpec().getAnalysis().getMetrics().stream()
                    .filter(m -> "error-rate".equals(m.getName()))
                    .findFirst()
                    .orElseThrow();
        }
        assertThat(example.getQuery())
                .as("full.yaml's error-rate is the tenant's own PromQL")
                .isNotNull();
        MetricSpec tenants = new MetricSpec()
                .withName("error-rate")
                .withQuery(example.getQuery())
                .withMax(0.08);
        awaitFullWindowsOfTraffic(backend);
        for (int i = 0; i < 3; i++) {
            GateVerdict v = new MetricGate(tenants, backend).evaluate(context("ml", "1.0.0", "2.0.0"));
            assertThat(v.verdict())
                    .as("the canary refuses only what the stable refuses: " + v.reason())
                    .isEqualTo(Verdict.PASS);
            assertThat(v.value()).as(v.reason()).isLessThan(0.03);
            sleep(Duration.ofSeconds(1));
        }
        GateVerdict low = new MetricGate(tenants, backend).evaluate(context("ml", "1.0.0", "3.0.0"));
        assertThat(low.verdict()).as(low.reason()).isEqualTo(Verdict.FAIL);
        assertThat(low.value()).as(low.reason()).isCloseTo(0.5, offset(0.1));
    }

    /**
     * Every rate() window the gate reads is full of the public traffic: a window holding only a few requests would read
     * the tracks' scrape phases, not their refusals.
     */
    static void awaitFullWindowsOfTraffic(HttpPrometheus backend) {
        await().atMost(Duration.ofSeconds(120))
                .pollInterval(Duration.ofSeconds(1))
                .alias("30 s of traffic on every track")
                .until(() -> backend.query("min(count_over_time(fledge_model_requests_total{namespace=\"ml\","
                                        + "audience=\"public\",outcome=\"model_limit\"}[" + WINDOW + "]))")
                                instanceof QueryResult.Value full
                        && full.value() >= 25);
    }

    static GateContext context(String namespace, String stableVersion, String canaryVersion) {
        ModelRelease mr = new ModelRelease();
        mr.setMetadata(new ObjectMetaBuilder()
                .withName("assistant")
                .withNamespace(namespace)
                .build());
        mr.setSpec(new ModelReleaseSpec()
                .withModel(new ModelSpec()
                        .withName("assistant")
                        .withVersion(canaryVersion)
                        .withUri("file:///m"))
                .withAnalysis(new AnalysisSpec().withInterval(WINDOW)));
        var plan = new PlanResolver(Duration.ofMinutes(1)).resolve(mr.getSpec());
        return new GateContext(mr, plan, Stage.PUBLIC, "public", stableVersion, canaryVersion, Instant.now());
    }

    static void sleep(Duration d) {
        try {
            Thread.sleep(d.toMillis());
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        }
    }

    /**
     * Public traffic (no audience header) split evenly over the tracks as a weighted route would, every other request
     * an attacker's {@code max_tokens: 100000}: each server gets the same mix, one legitimate request to one refused.
     */
    static final class PublicTraffic implements AutoCloseable {
        private final HttpClient http =
                HttpClient.newBuilder().connectTimeout(Duration.ofSeconds(2)).build();
        private final AtomicBoolean running = new AtomicBoolean(true);
        private final List<Thread> threads = new ArrayList<>();
        final AtomicLong served = new AtomicLong();
        final AtomicLong refused = new AtomicLong();

        PublicTraffic(List<String> baseUrls) {
            for (String url : baseUrls) {
                Thread t = new Thread(() -> loop(url), "public-traffic-" + url);
                t.setDaemon(true);
                t.start();
                threads.add(t);
            }
        }

        private void loop(String url) {
            int i = 0;
            while (running.get()) {
                if (send(url, "{\"prompt\":\"the garden\",\"max_tokens\":4,\"seed\":" + i++ + "}") == 200) {
                    served.incrementAndGet();
                }
                if (send(url, "{\"prompt\":\"the garden\",\"max_tokens\":100000}") == 400) {
                    refused.incrementAndGet();
                }
                sleep(Duration.ofMillis(10));
            }
        }

        private int send(String url, String body) {
            try {
                return http.send(
                                HttpRequest.newBuilder(URI.create(url + "/v1/completions"))
                                        .timeout(Duration.ofSeconds(10))
                                        .header("Content-Type", "application/json")
                                        .POST(HttpRequest.BodyPublishers.ofString(body))
                                        .build(),
                                HttpResponse.BodyHandlers.discarding())
                        .statusCode();
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
                running.set(false);
                return -1;
            } catch (IOException e) {
                return -1;
            }
        }

        @Override
        public void close() {
            running.set(false);
            threads.forEach(Thread::interrupt);
        }
    }
}
