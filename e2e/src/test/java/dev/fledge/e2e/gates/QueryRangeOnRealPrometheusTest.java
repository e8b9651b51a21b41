package dev.fledge.e2e.gates;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

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
import dev.fledge.operator.gates.GateContext;
import dev.fledge.operator.gates.metric.HttpPrometheus;
import dev.fledge.operator.gates.metric.MetricGate;
import dev.fledge.operator.gates.metric.MetricsBackend;
import dev.fledge.operator.gates.metric.PrometheusSettings;
import dev.fledge.operator.gates.metric.QueryResult;
import io.fabric8.kubernetes.api.model.ObjectMetaBuilder;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.time.Instant;
import java.util.List;
import java.util.Map;
import java.util.concurrent.atomic.AtomicReference;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Tag;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.TestInstance;

/**
 * An analysis interval shorter than the scrape interval (issue 19, item 7): a real Prometheus scrapes a real model
 * server every 10 s, the release analyses every 5 s. {@code rate(...[5s])} holds at most one sample and is empty,
 * so the gate would stay Inconclusive forever; with the operator told the scrape interval, {@code {{interval}}} is
 * at least 4 scrapes (40 s) and the gate reads the error rate.
 */
@Tag("prometheus")
@TestInstance(TestInstance.Lifecycle.PER_CLASS)
class QueryRangeOnRealPrometheusTest {
    static final Duration SCRAPE = Duration.ofSeconds(10);
    Path dir;
    RealProcess server;
    RealProcess prometheus;
    CompletionTraffic traffic;

    @BeforeAll
    void start() throws Exception {
        dir = Files.createTempDirectory("fledge-query-range");
        server = RealProcess.modelServer("v1", "1.0.0", Map.of(), dir);
        prometheus = RealProcess.prometheus("""
                  - job_name: fledge-model-servers
                    scrape_interval: 10s
                    scrape_timeout: 5s
                    static_configs:
                      - targets: ['127.0.0.1:%d']
                        labels: {namespace: ml, track: canary}
                """.formatted(server.port), dir);
        traffic = new CompletionTraffic(List.of(server.url()), 20);
    }

    @AfterAll
    void stop() {
        for (AutoCloseable c : new AutoCloseable[] {traffic, prometheus, server}) {
            try {
                if (c != null) {
                    c.close();
                }
            } catch (Exception ignored) {
                // keep stopping the others
            }
        }
        RealProcess.deleteTree(dir);
    }

    @Test
    void aFiveSecondAnalysisIntervalAgainstATenSecondScrapeReadsTheErrorRateOverFourScrapes() {
        MetricSpec errorRate = new MetricSpec()
                .withName("error-rate")
                .withTemplate(MetricTemplate.ERROR_RATE)
                .withMax(0.05);
        RecordingBackend told = new RecordingBackend(new HttpPrometheus(PrometheusSettings.of(prometheus.url())
                .withTimeout(Duration.ofSeconds(3))
                .withScrapeInterval(SCRAPE)));
        AtomicReference<GateVerdict> last = new AtomicReference<>();
        await().atMost(Duration.ofSeconds(90))
                .pollInterval(Duration.ofSeconds(2))
                .alias("the gate to read a value (last: " + last + ")")
                .until(() -> {
                    last.set(new MetricGate(errorRate, told).evaluate(context(errorRate)));
                    return last.get().verdict() != Verdict.INCONCLUSIVE;
                });

        assertThat(last.get().verdict()).isEqualTo(Verdict.PASS);
        assertThat(last.get().value()).isLessThanOrEqualTo(0.05);
        assertThat(told.lastQuery).contains("[40s]").doesNotContain("[5s]");

        // Without the floor (the operator not told the scrape interval) the same query, on the same data, is empty.
        HttpPrometheus untold =
                new HttpPrometheus(PrometheusSettings.of(prometheus.url()).withTimeout(Duration.ofSeconds(3)));
        for (int i = 0; i < 3; i++) {
            GateVerdict v = new MetricGate(errorRate, untold).evaluate(context(errorRate));
            assertThat(v.verdict()).isEqualTo(Verdict.INCONCLUSIVE);
            assertThat(v.reason()).contains("no data");
        }
    }

    static GateContext context(MetricSpec spec) {
        ModelRelease mr = new ModelRelease();
        mr.setMetadata(new ObjectMetaBuilder()
                .withName("assistant")
                .withNamespace("ml")
                .build());
        mr.setSpec(new ModelReleaseSpec()
                .withModel(new ModelSpec()
                        .withName("assistant")
                        .withVersion("1.0.0")
                        .withUri("file:///m"))
                .withAnalysis(new AnalysisSpec().withInterval("5s").withMetrics(List.of(spec))));
        var plan = new PlanResolver(Duration.ofMinutes(1)).resolve(mr.getSpec());
        return new GateContext(mr, plan, Stage.CLOSED, "closed", "0.9.0", "1.0.0", Instant.now());
    }

    /** The backend as the operator has it, remembering the PromQL it was sent. */
    static final class RecordingBackend implements MetricsBackend {
        private final MetricsBackend backend;
        volatile String lastQuery = "";

        RecordingBackend(MetricsBackend backend) {
            this.backend = backend;
        }

        @Override
        public QueryResult query(String promql) {
            return query("", promql);
        }

        @Override
        public QueryResult query(String namespace, String promql) {
            lastQuery = promql;
            return backend.query(namespace, promql);
        }

        @Override
        public Duration minQueryRange() {
            return backend.minQueryRange();
        }
    }
}
