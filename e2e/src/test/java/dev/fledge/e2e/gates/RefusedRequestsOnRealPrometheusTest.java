package dev.fledge.e2e.gates;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.offset;
import static org.awaitility.Awaitility.await;

import com.sun.net.httpserver.HttpServer;
import dev.fledge.api.spec.MetricSpec;
import dev.fledge.api.spec.MetricTemplate;
import dev.fledge.api.status.Verdict;
import dev.fledge.core.rollout.GateVerdict;
import dev.fledge.operator.gates.metric.HttpPrometheus;
import dev.fledge.operator.gates.metric.MetricGate;
import dev.fledge.operator.gates.metric.PrometheusSettings;
import dev.fledge.operator.gates.metric.QueryResult;
import java.io.IOException;
import java.io.OutputStream;
import java.net.InetSocketAddress;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
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
 * (the flood in the denominator), nor 5 / 95 (the canary's own refusals left out).
 */
@Tag("prometheus")
@TestInstance(TestInstance.Lifecycle.PER_CLASS)
class RefusedRequestsOnRealPrometheusTest {
    static final String SERIES =
            "fledge_model_requests_total{release=\"assistant\",version=\"2.0.0\",audience=\"public\",outcome=\"%s\"} %d\n";

    Path dir;
    HttpServer pod;
    RealProcess prometheus;
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
        prometheus = RealProcess.prometheus("""
                  - job_name: model-servers
                    static_configs:
                      - targets: ['127.0.0.1:%d']
                        labels: {namespace: team-a}
                """.formatted(pod.getAddress().getPort()), dir);
    }

    @AfterAll
    void stop() {
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
        assertThat(backend.query("sum(rate(fledge_model_requests_total{outcome=~\"error|model_limit|rejected\"}[10s]))"
                        + " / sum(rate(fledge_model_requests_total[10s]))"))
                .isInstanceOfSatisfying(
                        QueryResult.Value.class, all -> assertThat(all.value()).isLessThan(0.01));
        assertThat(backend.query("sum(rate(fledge_model_requests_total{outcome=\"error\"}[10s]))"
                        + " / sum(rate(fledge_model_requests_total{outcome=~\"success|blocked|error\"}[10s]))"))
                .isInstanceOfSatisfying(
                        QueryResult.Value.class,
                        served -> assertThat(served.value()).isCloseTo(0.053, offset(0.02)));
    }
}
