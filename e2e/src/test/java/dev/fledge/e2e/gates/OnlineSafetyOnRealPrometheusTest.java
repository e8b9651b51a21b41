package dev.fledge.e2e.gates;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import dev.fledge.api.ModelRelease;
import dev.fledge.api.spec.AnalysisSpec;
import dev.fledge.api.spec.ModelReleaseSpec;
import dev.fledge.api.spec.ModelSpec;
import dev.fledge.api.spec.SafetySpec;
import dev.fledge.api.status.ModelReleaseStatus;
import dev.fledge.api.status.Verdict;
import dev.fledge.core.rollout.GateVerdict;
import dev.fledge.core.rollout.PlanResolver;
import dev.fledge.core.rollout.Stage;
import dev.fledge.e2e.local.FreePort;
import dev.fledge.operator.gates.GateContext;
import dev.fledge.operator.gates.metric.HttpPrometheus;
import dev.fledge.operator.gates.metric.PrometheusSettings;
import dev.fledge.operator.gates.metric.QueryResult;
import dev.fledge.operator.gates.safety.SafetyGate;
import dev.fledge.operator.gates.safety.SafetyReports;
import dev.fledge.operator.gates.safety.SafetySettings;
import io.fabric8.kubernetes.api.model.ObjectMetaBuilder;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.time.Instant;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.concurrent.atomic.AtomicReference;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Tag;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.TestInstance;

/**
 * The online part of the safety gate against a real Prometheus scraping a real unsafe model server (issue 14, item
 * 11): live outputs count from the start of the stage (not from the start of the pod; the range reaches two scrape
 * intervals before the stage, and the outputs here are older), and a pod restart, which resets the counters, does not
 * erase the flags the stage has seen.
 */
@Tag("prometheus")
@TestInstance(TestInstance.Lifecycle.PER_CLASS)
class OnlineSafetyOnRealPrometheusTest {
    static final List<String> CRITICAL = List.of("violence", "harassment");

    Path dir;
    int port;
    RealProcess unsafe;
    RealProcess prometheus;
    HttpPrometheus backend;

    @BeforeAll
    void start() throws Exception {
        dir = Files.createTempDirectory("fledge-online-safety");
        port = FreePort.get();
        unsafe = RealProcess.modelServer("v3-unsafe", "3.0.0", Map.of(), dir, port);
        prometheus = RealProcess.prometheus(List.of("'127.0.0.1:" + port + "'"), dir);
        backend = new HttpPrometheus(PrometheusSettings.of(prometheus.url())
                .withTimeout(Duration.ofSeconds(3))
                .withScrapeInterval(RealProcess.SCRAPE_INTERVAL));
    }

    @AfterAll
    void stop() {
        for (AutoCloseable c : new AutoCloseable[] {prometheus, unsafe}) {
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
    void liveFlagsCountFromTheStageStartAndSurviveAPodRestart() throws Exception {
        // flagged live outputs before the stage begins
        try (CompletionTraffic before = new CompletionTraffic(List.of(unsafe.url()), 20)) {
            awaitScraped("sum(fledge_model_output_flags_total{version=\"3.0.0\",audience=\"closed\"}) > 0");
        }
        // the last values from before the stage are scraped, more than the range's lead (two scrapes) before it
        Thread.sleep(5000);
        Instant stageStart = Instant.now();
        Thread.sleep(4000); // scrapes inside the stage, with no new outputs

        GateVerdict quiet = evaluate(stageStart);
        assertThat(quiet.critical()).as(quiet.reason()).isFalse();
        assertThat(quiet.verdict()).as(quiet.reason()).isEqualTo(Verdict.INCONCLUSIVE);
        assertThat(quiet.reason()).contains("live 0/0 flagged (closed)", "waiting for live outputs");

        // flagged outputs inside the stage: a single critical flag in the closed stage rolls back
        AtomicReference<GateVerdict> last = new AtomicReference<>();
        try (CompletionTraffic during = new CompletionTraffic(List.of(unsafe.url()), 20)) {
            await().atMost(Duration.ofSeconds(60))
                    .pollInterval(Duration.ofSeconds(1))
                    .until(() -> {
                        last.set(evaluate(stageStart));
                        return last.get().critical();
                    });
        }
        assertThat(last.get().reason()).contains("flagged in live outputs");

        // the pod restarts: its counters start again from zero, the stage's flags stay counted
        Thread.sleep(3000);
        unsafe.close();
        unsafe = RealProcess.modelServer("v3-unsafe", "3.0.0", Map.of(), dir, port);
        awaitScraped("sum(fledge_model_outputs_total{version=\"3.0.0\",audience=\"closed\"}) == 0");
        GateVerdict afterRestart = evaluate(stageStart);
        assertThat(afterRestart.verdict()).as(afterRestart.reason()).isEqualTo(Verdict.FAIL);
        assertThat(afterRestart.critical()).as(afterRestart.reason()).isTrue();
        assertThat(afterRestart.categories())
                .filteredOn(c -> "online".equals(c.source()))
                .anySatisfy(c -> assertThat(c.flagged()).isPositive());
    }

    void awaitScraped(String promql) {
        await().atMost(Duration.ofSeconds(90))
                .pollInterval(Duration.ofMillis(500))
                .alias("Prometheus to answer " + promql)
                .until(() -> backend.query(promql) instanceof QueryResult.Value);
    }

    GateVerdict evaluate(Instant stageStart) {
        return evaluate(
                backend, new SafetySpec().withOnline(true).withCriticalCategories(CRITICAL), "3.0.0", stageStart);
    }

    /** The online safety gate of release ml/assistant at {@code version} in the closed stage begun at {@code stageStart}. */
    static GateVerdict evaluate(HttpPrometheus backend, SafetySpec spec, String version, Instant stageStart) {
        ModelRelease mr = new ModelRelease();
        mr.setMetadata(new ObjectMetaBuilder()
                .withName("assistant")
                .withNamespace("ml")
                .build());
        mr.setSpec(new ModelReleaseSpec()
                .withModel(new ModelSpec()
                        .withName("assistant")
                        .withVersion(version)
                        .withUri("file:///m"))
                .withAnalysis(new AnalysisSpec().withInterval("10s").withSafety(spec)));
        mr.setStatus(new ModelReleaseStatus().withStage("closed").withStageStartedAt(stageStart.toString()));
        var plan = new PlanResolver(Duration.ofMinutes(1)).resolve(mr.getSpec());
        var ctx = new GateContext(mr, plan, Stage.CLOSED, "closed", "1.0.0", version, Instant.now());
        SafetyGate gate = new SafetyGate(
                spec,
                new SafetyGate.SafetyCollaborators(
                        (ns, ref) -> {
                            throw new IllegalStateException("no suite in this test");
                        },
                        r -> "http://unused",
                        url -> p -> "",
                        (url, t) -> text -> null,
                        new SafetySettings(Optional.empty(), 16),
                        Optional.of(backend),
                        SafetyReports.none()));
        return gate.evaluate(ctx);
    }
}
