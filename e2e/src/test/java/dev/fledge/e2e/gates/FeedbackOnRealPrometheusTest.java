package dev.fledge.e2e.gates;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import com.sun.net.httpserver.HttpServer;
import dev.fledge.api.spec.FeedbackSpec;
import dev.fledge.api.status.Verdict;
import dev.fledge.core.rollout.GateVerdict;
import dev.fledge.operator.gates.feedback.FeedbackGate;
import dev.fledge.operator.gates.metric.HttpPrometheus;
import dev.fledge.operator.gates.metric.PrometheusSettings;
import dev.fledge.operator.gates.metric.QueryResult;
import java.io.IOException;
import java.io.OutputStream;
import java.net.InetSocketAddress;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.time.Instant;
import java.util.concurrent.atomic.AtomicLongArray;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Tag;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.TestInstance;

/**
 * The feedback gate on a real Prometheus when a canary pod restarts: its counters start again at 0. The gate read the
 * raw counters, so a restart erased the ratings the pod had counted, negative ones included, and a canary its users
 * disliked could pass on the ratings after the restart. It now counts the counters' rise over the rollout.
 */
@Tag("prometheus")
@TestInstance(TestInstance.Lifecycle.PER_CLASS)
class FeedbackOnRealPrometheusTest {
    /** The pod's counters: negative, positive ratings of the closed audience for 2.0.0. */
    final AtomicLongArray ratings = new AtomicLongArray(2);

    Path dir;
    HttpServer pod;
    RealProcess prometheus;
    HttpPrometheus backend;

    @BeforeAll
    void start() throws IOException {
        dir = Files.createTempDirectory("fledge-feedback");
        pod = HttpServer.create(new InetSocketAddress("127.0.0.1", 0), 0);
        pod.createContext("/metrics", ex -> {
            byte[] body = ("fledge_model_feedback_total{release=\"assistant\",version=\"2.0.0\",audience=\"closed\","
                            + "rating=\"negative\"} " + ratings.get(0) + "\n"
                            + "fledge_model_feedback_total{release=\"assistant\",version=\"2.0.0\",audience=\"closed\","
                            + "rating=\"positive\"} " + ratings.get(1) + "\n")
                    .getBytes(StandardCharsets.UTF_8);
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
                        labels: {namespace: team-a, track: canary}
                """.formatted(pod.getAddress().getPort()), dir);
        backend = new HttpPrometheus(PrometheusSettings.of(prometheus.url())
                .withTimeout(Duration.ofSeconds(3))
                .withScrapeInterval(RealProcess.SCRAPE_INTERVAL));
    }

    @AfterAll
    void stop() throws Exception {
        if (prometheus != null) {
            prometheus.close();
        }
        if (pod != null) {
            pod.stop(0);
        }
        RealProcess.deleteTree(dir);
    }

    @Test
    void aRestartedCanaryPodKeepsTheNegativeRatingsItCountedBefore() {
        Instant rolloutStart = Instant.now();
        scraped(0, 0);
        ratings.set(0, 20); // 20 users of the closed audience dislike 2.0.0
        scraped(20, 0);
        ratings.set(0, 0); // the container restarts: its counters start again at 0
        scraped(0, 0);
        ratings.set(1, 20); // then 20 users like it
        scraped(0, 20);

        GateVerdict v = new FeedbackGate(new FeedbackSpec().withMaxNegativeRate(0.2), backend)
                .evaluate(NamespaceConfinementOnRealPrometheusTest.context("team-a", "closed", rolloutStart));
        assertThat(v.verdict())
                .as("the ratings before the restart count: %s", v.reason())
                .isEqualTo(Verdict.FAIL);
        // increase() counts across the reset, and may add a little by extrapolation
        assertThat(v.flagged()).isBetween(20L, 23L);
        assertThat(v.samples()).isBetween(40L, 43L);
    }

    /** Waits until Prometheus holds these values of the pod's negative and positive counters. */
    void scraped(long negative, long positive) {
        await().atMost(Duration.ofSeconds(30))
                .pollInterval(Duration.ofMillis(100))
                .until(() -> value("negative") == negative && value("positive") == positive);
    }

    double value(String rating) {
        return backend.query("sum(fledge_model_feedback_total{rating=\"" + rating + "\"})")
                        instanceof QueryResult.Value v
                ? v.value()
                : Double.NaN;
    }
}
