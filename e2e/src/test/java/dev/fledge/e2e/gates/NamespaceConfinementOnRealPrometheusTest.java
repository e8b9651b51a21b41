package dev.fledge.e2e.gates;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import com.sun.net.httpserver.HttpServer;
import dev.fledge.api.ModelRelease;
import dev.fledge.api.spec.AnalysisSpec;
import dev.fledge.api.spec.FeedbackAudience;
import dev.fledge.api.spec.FeedbackSpec;
import dev.fledge.api.spec.MetricSpec;
import dev.fledge.api.spec.ModelReleaseSpec;
import dev.fledge.api.spec.ModelSpec;
import dev.fledge.api.status.ModelReleaseStatus;
import dev.fledge.api.status.Verdict;
import dev.fledge.core.rollout.GateVerdict;
import dev.fledge.core.rollout.PlanResolver;
import dev.fledge.core.rollout.Stage;
import dev.fledge.operator.gates.GateContext;
import dev.fledge.operator.gates.feedback.FeedbackGate;
import dev.fledge.operator.gates.metric.HttpPrometheus;
import dev.fledge.operator.gates.metric.MetricGate;
import dev.fledge.operator.gates.metric.PrometheusSettings;
import dev.fledge.operator.gates.metric.QueryResult;
import io.fabric8.kubernetes.api.model.ObjectMetaBuilder;
import java.io.IOException;
import java.io.OutputStream;
import java.net.InetSocketAddress;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.time.Instant;
import java.util.List;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Tag;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.TestInstance;

/**
 * Issue 15, findings 2 and 3, on a real Prometheus: tenant B runs a pod that exposes series forged with A's
 * release, version and even {@code namespace="team-a"}; tenant A's canary is really harmful. Prometheus takes the
 * namespace from the target (as Kubernetes service discovery does), so B's forged label becomes
 * {@code exported_namespace}. prom-label-proxy sits in front, enforcing the namespace the operator sends.
 */
@Tag("prometheus")
@TestInstance(TestInstance.Lifecycle.PER_CLASS)
class NamespaceConfinementOnRealPrometheusTest {
    static final String A = "team-a";
    static final String B = "team-b";

    /** A's canary: 60 of 100 ratings negative, a true Fail of a 20% limit. */
    static final String A_METRICS = """
            fledge_model_feedback_total{release="assistant",version="2.0.0",audience="public",rating="negative"} 60
            fledge_model_feedback_total{release="assistant",version="2.0.0",audience="public",rating="positive"} 40
            """;
    /** B's forgery: a billion positive ratings and a critical flag for A's release, and a series of B's own. */
    static final String B_METRICS = """
            fledge_model_feedback_total{namespace="team-a",release="assistant",version="2.0.0",audience="public",rating="positive"} 1e9
            fledge_model_output_flags_total{namespace="team-a",release="assistant",version="2.0.0",audience="public",category="self-harm"} 1
            team_b_private_revenue 42
            """;

    Path dir;
    HttpServer podA;
    HttpServer podB;
    RealProcess prometheus;
    RealProcess proxy;

    @BeforeAll
    void start() throws IOException {
        dir = Files.createTempDirectory("fledge-confinement");
        podA = metrics(A_METRICS);
        podB = metrics(B_METRICS);
        prometheus = RealProcess.prometheus(
                """
                  - job_name: model-servers
                    static_configs:
                      - targets: ['127.0.0.1:%d']
                        labels: {namespace: team-a, track: canary}
                      - targets: ['127.0.0.1:%d']
                        labels: {namespace: team-b, track: canary}
                """.formatted(podA.getAddress().getPort(), podB.getAddress().getPort()), dir);
        proxy = RealProcess.promLabelProxy(prometheus.url(), dir);
        HttpPrometheus direct = new HttpPrometheus(PrometheusSettings.of(prometheus.url()));
        await().atMost(Duration.ofSeconds(60))
                .pollInterval(Duration.ofMillis(500))
                .alias("both targets scraped")
                .until(() -> direct.query("count(up == 1)") instanceof QueryResult.Value v
                        && v.value() == 2
                        && direct.query("sum(team_b_private_revenue)") instanceof QueryResult.Value);
    }

    @AfterAll
    void stop() {
        for (AutoCloseable c : new AutoCloseable[] {proxy, prometheus}) {
            try {
                if (c != null) {
                    c.close();
                }
            } catch (Exception ignored) {
                // keep stopping
            }
        }
        if (podA != null) {
            podA.stop(0);
        }
        if (podB != null) {
            podB.stop(0);
        }
        RealProcess.deleteTree(dir);
    }

    @Test
    void theForgeryIsRealWithoutANamespaceSelector() {
        // the query the feedback gate ran before this fix: B's billion ratings count as A's
        QueryResult unscoped = direct().query(
                        "sum(fledge_model_feedback_total{release=\"assistant\",version=\"2.0.0\",audience=\"public\"})");
        assertThat(unscoped)
                .isInstanceOfSatisfying(
                        QueryResult.Value.class, v -> assertThat(v.value()).isGreaterThan(1e8));
    }

    @Test
    void tenantBCannotMoveTenantAsFeedbackGateDirectOrThroughTheProxy() {
        assertThat(confined().now(A))
                .as("the proxy answers time(), the evaluation time of a reading's queries")
                .isNotNull();
        for (HttpPrometheus backend : List.of(direct(), confined())) {
            GateVerdict v = new FeedbackGate(
                            new FeedbackSpec()
                                    .withMaxNegativeRate(0.2)
                                    .withTrustedAudiences(List.of(FeedbackAudience.PUBLIC)),
                            backend)
                    .evaluate(context(A, "public"));
            assertThat(v.verdict()).as(v.reason()).isEqualTo(Verdict.FAIL);
            assertThat(v.samples()).isEqualTo(100L);
            assertThat(v.flagged()).isEqualTo(60L);
        }
    }

    @Test
    void aForgedCriticalFlagDoesNotReachTenantAsQueries() {
        MetricSpec flags = new MetricSpec()
                .withName("critical-flags")
                .withMax(0.0)
                .withQuery("sum(fledge_model_output_flags_total{release=\"{{release}}\",category=\"self-harm\"})");
        assertThat(new MetricGate(flags, direct())
                        .evaluate(context(A, "public"))
                        .verdict())
                .as("unconfined, B's forged flag fails A's gate")
                .isEqualTo(Verdict.FAIL);
        GateVerdict v = new MetricGate(flags, confined()).evaluate(context(A, "public"));
        assertThat(v.verdict()).as(v.reason()).isEqualTo(Verdict.INCONCLUSIVE);
        assertThat(v.reason()).contains("no data");
    }

    @Test
    void aQueryNamingAnotherNamespaceReturnsNoData() {
        MetricSpec spy = new MetricSpec()
                .withName("spy")
                .withMax(1e12)
                .withQuery("sum(team_b_private_revenue{namespace=\"team-b\"}) or sum(team_b_private_revenue)");
        GateVerdict confinedToA = new MetricGate(spy, confined()).evaluate(context(A, "public"));
        assertThat(confinedToA.verdict()).as(confinedToA.reason()).isEqualTo(Verdict.INCONCLUSIVE);
        assertThat(confinedToA.reason()).contains("no data");
        assertThat(confinedToA.value()).isNull();
        // the same query for a release of B sees B's series: the proxy confines, it does not break queries
        GateVerdict ownNamespace = new MetricGate(spy, confined()).evaluate(context(B, "public"));
        assertThat(ownNamespace.value()).isEqualTo(42.0);
    }

    HttpPrometheus direct() {
        return new HttpPrometheus(PrometheusSettings.of(prometheus.url()).withTimeout(Duration.ofSeconds(3)));
    }

    HttpPrometheus confined() {
        return new HttpPrometheus(PrometheusSettings.of(proxy.url())
                .withTimeout(Duration.ofSeconds(3))
                .withEnforcedLabel("namespace"));
    }

    static GateContext context(String namespace, String stage) {
        return context(namespace, stage, STARTED);
    }

    /** Before Prometheus' first scrape: the feedback gate counts every rating of the canary since then. */
    static final Instant STARTED = Instant.now();

    /** A context in {@code stage} of a rollout of 2.0.0 that began at {@code rolloutStartedAt}. */
    static GateContext context(String namespace, String stage, Instant rolloutStartedAt) {
        return context(namespace, stage, rolloutStartedAt, Instant.now());
    }

    /** The same, evaluated as of {@code now}. */
    static GateContext context(String namespace, String stage, Instant rolloutStartedAt, Instant now) {
        ModelRelease mr = new ModelRelease();
        mr.setMetadata(new ObjectMetaBuilder()
                .withName("assistant")
                .withNamespace(namespace)
                .build());
        mr.setSpec(new ModelReleaseSpec()
                .withModel(new ModelSpec()
                        .withName("assistant")
                        .withVersion("2.0.0")
                        .withUri("file:///m"))
                .withAnalysis(new AnalysisSpec().withInterval("10s")));
        mr.setStatus(new ModelReleaseStatus().withRolloutStartedAt(rolloutStartedAt.toString()));
        var plan = new PlanResolver(Duration.ofMinutes(1)).resolve(mr.getSpec());
        return new GateContext(mr, plan, Stage.fromWire(stage), stage, "1.0.0", "2.0.0", now);
    }

    static HttpServer metrics(String text) throws IOException {
        HttpServer server = HttpServer.create(new InetSocketAddress("127.0.0.1", 0), 0);
        byte[] body = text.getBytes(StandardCharsets.UTF_8);
        server.createContext("/metrics", ex -> {
            ex.getResponseHeaders().add("Content-Type", "text/plain; version=0.0.4");
            ex.sendResponseHeaders(200, body.length);
            try (OutputStream os = ex.getResponseBody()) {
                os.write(body);
            }
        });
        server.start();
        return server;
    }
}
