package dev.fledge.e2e.gates;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import com.sun.net.httpserver.HttpServer;
import dev.fledge.api.spec.FeedbackSpec;
import dev.fledge.api.status.Verdict;
import dev.fledge.core.rollout.GateVerdict;
import dev.fledge.operator.gates.feedback.FeedbackGate;
import dev.fledge.operator.gates.metric.HttpPrometheus;
import dev.fledge.operator.gates.metric.MetricsBackend;
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
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.concurrent.atomic.AtomicLongArray;
import java.util.concurrent.atomic.AtomicReference;
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
    /** Set: the next scrape fails (HTTP 500), and its time is recorded in {@link #failedAt}. */
    final AtomicBoolean failNextScrape = new AtomicBoolean();

    final AtomicReference<Instant> failedAt = new AtomicReference<>();
    /** Set: a further negative-ratings series of the release at this value (a forged or broken exposition). */
    final AtomicReference<Long> forged = new AtomicReference<>();

    Path dir;
    HttpServer pod;
    RealProcess prometheus;
    HttpPrometheus backend;

    @BeforeAll
    void start() throws IOException {
        dir = Files.createTempDirectory("fledge-feedback");
        pod = HttpServer.create(new InetSocketAddress("127.0.0.1", 0), 0);
        pod.createContext("/metrics", ex -> {
            if (failNextScrape.getAndSet(false)) {
                failedAt.set(Instant.now());
                ex.sendResponseHeaders(500, -1);
                ex.close();
                return;
            }
            byte[] body = ("fledge_model_feedback_total{release=\"assistant\",version=\"2.0.0\",audience=\"closed\","
                            + "rating=\"negative\"} " + ratings.get(0) + "\n"
                            + "fledge_model_feedback_total{release=\"assistant\",version=\"2.0.0\",audience=\"closed\","
                            + "rating=\"positive\"} " + ratings.get(1) + "\n"
                            + (forged.get() == null
                                    ? ""
                                    : "fledge_model_feedback_total{release=\"assistant\",version=\"2.0.0\","
                                            + "audience=\"closed\",rating=\"negative\",shard=\"forged\"} "
                                            + forged.get() + "\n"))
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
    void aRestartedCanaryPodKeepsTheNegativeRatingsItCountedBefore() throws InterruptedException {
        ratings.set(0, 0);
        ratings.set(1, 0);
        scraped(0, 0);
        Thread.sleep(3000); // the other tests' changes fall out of the range's lead (two scrapes of 1 s)
        Instant rolloutStart = Instant.now();
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
        // increase() counts across the reset, and may add a little by extrapolation (up to ~25 % over a 5 s range)
        assertThat(v.flagged()).isBetween(20L, 26L);
        assertThat(v.samples()).isBetween(40L, 46L);
    }

    /**
     * The two queries of one reading (all ratings, then the negative ones) are evaluated at the reading's time. Each
     * used to be evaluated at Prometheus' own now, so ratings scraped between them counted in the second and not in the
     * first: more negative ratings than ratings, "inconsistent counters", and no verdict for that analysis.
     */
    @Test
    void aScrapeBetweenTheQueriesOfOneReadingDoesNotMakeThemInconsistent() throws InterruptedException {
        long negative = ratings.get(0);
        long positive = ratings.get(1);
        scraped(negative, positive);
        Thread.sleep(3000); // the other tests' changes fall out of the range's lead
        Instant rolloutStart = Instant.now();
        ratings.set(0, negative + 5);
        ratings.set(1, positive + 15);
        scraped(negative + 5, positive + 15);
        // the first query returns only after 200 more negative ratings were scraped
        AtomicBoolean first = new AtomicBoolean(true);
        MetricsBackend scrapeBetween = new MetricsBackend() {
            @Override
            public QueryResult query(String promql) {
                return backend.query(promql);
            }

            @Override
            public QueryResult query(String namespace, String promql) {
                return query(namespace, promql, null);
            }

            @Override
            public QueryResult query(String namespace, String promql, Instant at) {
                QueryResult r = backend.query(namespace, promql, at);
                if (first.getAndSet(false)) {
                    ratings.set(0, negative + 205);
                    scraped(negative + 205, positive + 15);
                }
                return r;
            }

            @Override
            public Instant now(String namespace) {
                return backend.now(namespace);
            }

            @Override
            public Duration scrapeInterval() {
                return backend.scrapeInterval();
            }
        };
        GateVerdict v = new FeedbackGate(new FeedbackSpec().withMaxNegativeRate(0.2), scrapeBetween)
                .evaluate(NamespaceConfinementOnRealPrometheusTest.context("team-a", "closed", rolloutStart));
        assertThat(first).as("the scrape came between the queries").isFalse();
        assertThat(v.reason()).doesNotContain("inconsistent counters");
        assertThat(v.samples()).as(v.reason()).isEqualTo(20);
        assertThat(v.flagged()).isEqualTo(5);
    }

    /**
     * One failed scrape just before the range's start: Prometheus marks the pod's series stale at once, and the next
     * scrape brings them back. An instant lookup at the range's start found no sample and took the pod, which had its
     * ratings long before the rollout, for a new one, counting them all from 0; the start is now looked up as a range.
     */
    @Test
    void oneFailedScrapeBeforeTheRangeDoesNotMakeAnOldPodNew() throws InterruptedException {
        ratings.set(0, ratings.get(0) + 7); // ratings of 2.0.0 long before this rollout
        scraped(ratings.get(0), ratings.get(1));
        for (int attempt = 1; ; attempt++) {
            Thread.sleep(3000);
            failedAt.set(null);
            failNextScrape.set(true);
            await().atMost(Duration.ofSeconds(10)).until(() -> failedAt.get() != null);
            // the range runs from two scrapes (2 s) before the rollout's start to Prometheus' now, in whole seconds
            // rounded up: evaluated 2.4 to 2.9 s into the rollout it is 5 s long, and begins 0.3 to 0.8 s after the
            // failed scrape, before the next one
            Instant rolloutStart = failedAt.get().plusMillis(2900);
            Instant evaluateAt = rolloutStart.plusMillis(2400);
            await().atMost(Duration.ofSeconds(10))
                    .pollInterval(Duration.ofMillis(5))
                    .until(() -> !Instant.now().isBefore(evaluateAt));
            Instant now = Instant.now();
            GateVerdict v = new FeedbackGate(new FeedbackSpec().withMaxNegativeRate(0.2), backend)
                    .evaluate(NamespaceConfinementOnRealPrometheusTest.context("team-a", "closed", rolloutStart, now));
            if (now.isBefore(evaluateAt.plusMillis(450))) {
                assertThat(v.samples())
                        .as("no rating came during the rollout: %s", v.reason())
                        .isZero();
                assertThat(v.verdict()).isEqualTo(Verdict.INCONCLUSIVE);
                return;
            }
            assertThat(attempt)
                    .as("never evaluated within 0.45 s of the planned time in 5 attempts: the case was never set up")
                    .isLessThan(5);
        }
    }

    /**
     * A series exported below 0 and new in the range counted its negative value, which took the other series' ratings
     * away in the sum (here the whole count below 0: no verdict); it now counts 0.
     */
    @Test
    void aSeriesBelowZeroTakesNothingAwayFromTheOthers() throws InterruptedException {
        long negative = ratings.get(0);
        long positive = ratings.get(1);
        scraped(negative, positive);
        Thread.sleep(3000);
        Instant rolloutStart = Instant.now();
        ratings.set(0, negative + 3);
        ratings.set(1, positive + 7);
        forged.set(-10L);
        try {
            scraped(negative + 3 - 10, positive + 7);
            GateVerdict v = new FeedbackGate(new FeedbackSpec().withMaxNegativeRate(0.2), backend)
                    .evaluate(NamespaceConfinementOnRealPrometheusTest.context("team-a", "closed", rolloutStart));
            assertThat(v.flagged()).as(v.reason()).isEqualTo(3);
            assertThat(v.samples()).isEqualTo(10);
        } finally {
            forged.set(null);
        }
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
