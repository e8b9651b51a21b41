package dev.fledge.e2e.gates;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import dev.fledge.api.spec.MetricSpec;
import dev.fledge.api.status.Verdict;
import dev.fledge.core.rollout.GateVerdict;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.concurrent.atomic.AtomicReference;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Tag;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.TestInstance;

/**
 * Issue 17 review, MED 1: a rollout of a configuration alone keeps the version, so stable and canary expose the same
 * {@code version} label. Here a real Prometheus scrapes two real model servers, both 1.0.0: the stable one healthy
 * with three times the traffic, the canary failing a fifth of its requests, each with the {@code track} the chart's
 * PodMonitor takes from the pod. Selected by version alone, the pooled error rate is about 5%, under the gate's 10%;
 * the built-in template selects the canary's track and fails it.
 */
@Tag("prometheus")
@TestInstance(TestInstance.Lifecycle.PER_CLASS)
class SameVersionTracksOnRealPrometheusTest {
    Path dir;
    RealProcess stable;
    RealProcess canary;
    RealProcess prometheus;
    CompletionTraffic traffic;

    @BeforeAll
    void start() throws Exception {
        dir = Files.createTempDirectory("fledge-same-version");
        stable = RealProcess.modelServer("v1", "1.0.0", Map.of(), dir);
        canary = RealProcess.modelServer("v1", "1.0.0", Map.of("FLEDGE_FAULT_ERROR_RATE", "0.2"), dir);
        prometheus = RealProcess.prometheus("""
                  - job_name: fledge-model-servers
                    static_configs:
                      - targets: ['127.0.0.1:%d']
                        labels: {namespace: ml, track: stable}
                      - targets: ['127.0.0.1:%d']
                        labels: {namespace: ml, track: canary}
                """.formatted(stable.port, canary.port), dir);
        traffic = new CompletionTraffic(List.of(stable.url(), stable.url(), stable.url(), canary.url()), 50);
    }

    @AfterAll
    void stop() {
        for (AutoCloseable c : new AutoCloseable[] {traffic, prometheus, canary, stable}) {
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
    void theErrorRateOfACanaryAtTheStablesVersionIsItsOwn() {
        MetricSpec errorRate = MetricGatesOnRealPrometheusTest.errorRate(0.1);
        AtomicReference<GateVerdict> last = new AtomicReference<>();
        await().atMost(Duration.ofSeconds(60))
                .pollInterval(Duration.ofSeconds(1))
                .alias("the canary's own error rate (about 0.2) to fail the gate")
                .until(() -> {
                    last.set(MetricGatesOnRealPrometheusTest.evaluate(prometheus.url(), errorRate, "1.0.0", "1.0.0"));
                    return last.get().verdict() == Verdict.FAIL && last.get().value() > 0.12;
                });
        assertThat(last.get().reason()).contains("above max 0.1");
    }
}
