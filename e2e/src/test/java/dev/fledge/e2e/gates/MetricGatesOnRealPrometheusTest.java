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
import dev.fledge.operator.gates.metric.PrometheusSettings;
import io.fabric8.kubernetes.api.model.ObjectMetaBuilder;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.time.Instant;
import java.util.List;
import java.util.Map;
import java.util.concurrent.atomic.AtomicReference;
import java.util.function.Predicate;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.MethodOrderer;
import org.junit.jupiter.api.Order;
import org.junit.jupiter.api.Tag;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.TestInstance;
import org.junit.jupiter.api.TestMethodOrder;

/**
 * The built-in metric gates against a real Prometheus (Debian's, {@code make prometheus}) scraping two real model
 * servers under traffic: {@code v1} as 1.0.0, and {@code v2} as 2.0.0 with the fault knobs on (half the requests
 * fail, every request 400 ms slower).
 */
@Tag("prometheus")
@TestInstance(TestInstance.Lifecycle.PER_CLASS)
@TestMethodOrder(MethodOrderer.OrderAnnotation.class)
class MetricGatesOnRealPrometheusTest {
    Path dir;
    RealProcess healthy;
    RealProcess faulty;
    RealProcess prometheus;
    CompletionTraffic traffic;

    @BeforeAll
    void start() throws Exception {
        dir = Files.createTempDirectory("fledge-metric-gates");
        healthy = RealProcess.modelServer("v1", "1.0.0", Map.of(), dir);
        faulty = RealProcess.modelServer(
                "v2", "2.0.0", Map.of("FLEDGE_FAULT_ERROR_RATE", "0.5", "FLEDGE_FAULT_LATENCY_MS", "400"), dir);
        prometheus = RealProcess.prometheus(
                List.of("'127.0.0.1:" + healthy.port + "'", "'127.0.0.1:" + faulty.port + "'"), dir);
        traffic = new CompletionTraffic(List.of(healthy.url(), faulty.url()), 50);
    }

    @AfterAll
    void stop() {
        for (AutoCloseable c : new AutoCloseable[] {traffic, prometheus, faulty, healthy}) {
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
    @Order(1)
    void errorRateGatePassesOnAHealthyCanary() {
        GateVerdict v = awaitVerdict(errorRate(0.05), "1.0.0", Verdict.PASS);
        assertThat(v.value()).isLessThanOrEqualTo(0.05);
    }

    @Test
    @Order(2)
    void errorRateGateFailsWhenTheErrorFaultIsOn() {
        GateVerdict v = awaitVerdict(errorRate(0.05), "2.0.0", Verdict.FAIL, f -> f.value() > 0.1);
        assertThat(v.value()).isGreaterThan(0.1);
        assertThat(v.reason()).contains("above max 0.05");
    }

    @Test
    @Order(3)
    void latencyGateFailsWhenTheLatencyFaultIsOn() {
        MetricSpec p99 = new MetricSpec()
                .withName("latency-p99")
                .withTemplate(MetricTemplate.LATENCY_P99)
                .withMax(0.3);
        GateVerdict v = awaitVerdict(p99, "2.0.0", Verdict.FAIL);
        assertThat(v.value()).isGreaterThan(0.4);
    }

    @Test
    @Order(4)
    void stoppingPrometheusGivesInconclusiveNotPass() {
        MetricSpec spec = errorRate(0.05);
        assertThat(evaluate(spec, "1.0.0").verdict()).isEqualTo(Verdict.PASS);
        prometheus.close();
        GateVerdict v = evaluate(spec, "1.0.0");
        assertThat(v.verdict()).isEqualTo(Verdict.INCONCLUSIVE);
        assertThat(v.reason()).contains("unreachable");
    }

    static MetricSpec errorRate(double max) {
        return new MetricSpec()
                .withName("error-rate")
                .withTemplate(MetricTemplate.ERROR_RATE)
                .withMax(max);
    }

    GateVerdict awaitVerdict(MetricSpec spec, String canaryVersion, Verdict wanted) {
        return awaitVerdict(spec, canaryVersion, wanted, v -> true);
    }

    /**
     * Waits for {@code wanted} with a value that {@code settled} accepts: a random fault shows its rate only once the
     * window holds enough requests (1 error in the first 11 is already a FAIL at max 0.05).
     */
    GateVerdict awaitVerdict(MetricSpec spec, String canaryVersion, Verdict wanted, Predicate<GateVerdict> settled) {
        AtomicReference<GateVerdict> last = new AtomicReference<>();
        await().atMost(Duration.ofSeconds(60))
                .pollInterval(Duration.ofSeconds(1))
                .alias("gate " + spec.getName() + " on " + canaryVersion + " to give " + wanted + " (last: " + last
                        + ")")
                .until(() -> {
                    last.set(evaluate(spec, canaryVersion));
                    return last.get().verdict() == wanted && settled.test(last.get());
                });
        return last.get();
    }

    GateVerdict evaluate(MetricSpec spec, String canaryVersion) {
        return evaluate(prometheus.url(), spec, "1.0.0", canaryVersion);
    }

    /** The gate of {@code spec} for release ml/assistant at stage closed, over the Prometheus at {@code url}. */
    static GateVerdict evaluate(String url, MetricSpec spec, String stableVersion, String canaryVersion) {
        ModelRelease mr = new ModelRelease();
        mr.setMetadata(new ObjectMetaBuilder()
                .withName("assistant")
                .withNamespace("ml")
                .build());
        mr.setSpec(new ModelReleaseSpec()
                .withModel(new ModelSpec()
                        .withName("assistant")
                        .withVersion(canaryVersion)
                        .withUri("file:///m"))
                .withAnalysis(new AnalysisSpec().withInterval("10s").withMetrics(List.of(spec))));
        var plan = new PlanResolver(Duration.ofMinutes(1)).resolve(mr.getSpec());
        var ctx = new GateContext(mr, plan, Stage.CLOSED, "closed", stableVersion, canaryVersion, Instant.now());
        var backend = new HttpPrometheus(PrometheusSettings.of(url).withTimeout(Duration.ofSeconds(3)));
        return new MetricGate(spec, backend).evaluate(ctx);
    }
}
