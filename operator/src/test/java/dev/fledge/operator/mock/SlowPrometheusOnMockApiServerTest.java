package dev.fledge.operator.mock;

import static org.assertj.core.api.Assertions.assertThat;

import com.sun.net.httpserver.HttpServer;
import dev.fledge.api.Labels;
import dev.fledge.api.ModelRelease;
import dev.fledge.api.status.ModelReleaseStatus;
import dev.fledge.api.status.Phase;
import dev.fledge.operator.gates.AnalysisGates;
import dev.fledge.operator.gates.metric.PrometheusSettings;
import dev.fledge.operator.gates.metric.QueryBudget;
import dev.fledge.operator.gates.safety.CanaryEndpoint;
import dev.fledge.operator.gates.safety.SafetySettings;
import dev.fledge.operator.workload.ServerDefaults;
import dev.fledge.testsupport.DeploymentReadiness;
import dev.fledge.testsupport.MockCluster;
import io.fabric8.kubernetes.client.KubernetesClient;
import io.fabric8.kubernetes.client.Watch;
import io.fabric8.kubernetes.client.Watcher;
import io.fabric8.kubernetes.client.WatcherException;
import java.io.IOException;
import java.net.InetSocketAddress;
import java.net.http.HttpClient;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.List;
import java.util.Optional;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.Executors;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.concurrent.atomic.AtomicReference;
import java.util.function.Predicate;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

/**
 * The operator's real gates against a Prometheus on loopback that can be told to hold its answers: a slow query must
 * never hold the release's reconcile (issue 15, finding 4, secreview HIGH 2). JOSDK reconciles one release on one
 * thread at a time, so before the gates were evaluated off the reconcile thread an abort waited for the query.
 */
class SlowPrometheusOnMockApiServerTest {
    static final String NAME = "assistant";

    MockCluster cluster;
    KubernetesClient client;
    DeploymentReadiness kubelet;
    OperatorUnderTest operator;
    HttpServer prometheus;
    /** Set: every query waits until it is counted down (or 60 s). */
    final AtomicReference<CountDownLatch> hold = new AtomicReference<>(new CountDownLatch(0));

    final AtomicInteger held = new AtomicInteger();
    /** Queries answered so far. */
    final AtomicInteger queries = new AtomicInteger();

    @BeforeEach
    void start() throws IOException {
        prometheus = HttpServer.create(new InetSocketAddress("127.0.0.1", 0), 0);
        prometheus.setExecutor(Executors.newCachedThreadPool());
        prometheus.createContext("/", exchange -> {
            exchange.getRequestBody().readAllBytes();
            queries.incrementAndGet();
            CountDownLatch latch = hold.get();
            if (latch.getCount() > 0) {
                held.incrementAndGet();
                try {
                    latch.await(60, TimeUnit.SECONDS);
                } catch (InterruptedException e) {
                    Thread.currentThread().interrupt();
                }
            }
            byte[] body = ("{\"status\":\"success\",\"data\":{\"resultType\":\"vector\",\"result\":[{\"metric\":{},"
                            + "\"value\":[" + System.currentTimeMillis() / 1000 + ",\"0\"]}]}}")
                    .getBytes(StandardCharsets.UTF_8);
            exchange.getResponseHeaders().add("Content-Type", "application/json");
            exchange.sendResponseHeaders(200, body.length);
            exchange.getResponseBody().write(body);
            exchange.close();
        });
        prometheus.start();
        cluster = new MockCluster();
        client = cluster.client();
        Releases.createNamespace(client);
        kubelet = new DeploymentReadiness(client);
        operator = new OperatorUnderTest(
                client,
                AnalysisGates.provider(
                        Optional.of(PrometheusSettings.of("http://127.0.0.1:"
                                        + prometheus.getAddress().getPort())
                                .withTimeout(Duration.ofSeconds(45))),
                        client,
                        new ServerDefaults("fledge/model-server:0.1.0", 8080),
                        new SafetySettings(Optional.empty(), 16)));
    }

    @AfterEach
    void stop() {
        hold.get().countDown();
        operator.close();
        kubelet.close();
        cluster.close();
        prometheus.stop(0);
    }

    @Test
    void anAbortIsCarriedOutWhileTheReleasesPrometheusQueryIsStillRunning() {
        firstReleaseIsPromoted();

        hold.set(new CountDownLatch(1)); // Prometheus takes its time from now on (the query's timeout is 45 s)
        held.set(0);
        Releases.edit(client, NAME, r -> StableServingFixture.setVersion(r, "2.0.0"));
        awaitStatus(Duration.ofSeconds(30), s -> "2.0.0".equals(s.getCanaryVersion()) && held.get() > 0);

        Releases.edit(client, NAME, r -> {
            if (r.getMetadata().getAnnotations() == null) {
                r.getMetadata().setAnnotations(new java.util.HashMap<>());
            }
            r.getMetadata().getAnnotations().put(Labels.ACTION, "abort");
        });
        ModelReleaseStatus s = awaitStatus(Duration.ofSeconds(10), st -> st.getPhase() == Phase.ROLLED_BACK);
        assertThat(s.getStableVersion()).isEqualTo("1.0.0");
        assertThat(hold.get().getCount()).as("Prometheus has not answered yet").isEqualTo(1);
    }

    /**
     * A Prometheus that answers at once: the pass that sends the query waits for the answer and records the verdict
     * itself (one status write per analysis). Before the answer wait, every analysis stored an Inconclusive
     * "evaluating" placeholder first and the verdict in a second pass and write.
     */
    @Test
    void aQuickAnswerIsRecordedByThePassThatAskedWithNoEvaluatingPlaceholderStored() {
        waitingForAnswers(Duration.ofSeconds(10));
        List<String> stored = new CopyOnWriteArrayList<>();
        try (Watch watch = watchStored(r -> {
            if (r.getStatus() != null && r.getStatus().getGates() != null) {
                r.getStatus().getGates().stream()
                        .filter(g -> "error-rate".equals(g.getName()))
                        .forEach(g -> stored.add(g.getVerdict() + " " + g.getReason()));
            }
        })) {
            firstReleaseIsPromoted();
            Releases.edit(client, NAME, r -> StableServingFixture.setVersion(r, "2.0.0"));
            awaitStatus(
                    Duration.ofSeconds(90),
                    s -> s.getPhase() == Phase.PROMOTED && "2.0.0".equals(s.getStableVersion()));
        }
        assertThat(stored).as("the gate's verdicts as stored").anyMatch(v -> v.startsWith("PASS"));
        assertThat(stored)
                .as("no analysis stored the placeholder: each verdict came in the pass that asked")
                .noneMatch(v -> v.contains("evaluating:"));
    }

    /**
     * An analysis whose verdict and value are the ones stored writes no status: the status is held in memory (at most
     * five minutes) while the gate keeps being analysed every second, and the stage still ends after its hold on it.
     * Before, every analysis wrote the status for its timestamps alone (issue 20: most of the operator's status
     * writes): 11 stored statuses in this stage.
     */
    @Test
    void analysesThatChangeNothingButTheirTimesWriteNoStatusWhileTheStageHolds() {
        waitingForAnswers(Duration.ofSeconds(10));
        assertThat(storedDuringATwelveSecondStage())
                .as("stored statuses of the internal stage: its start, its first analysis, and no more than a few"
                        + " others")
                .isLessThanOrEqualTo(4);
    }

    /**
     * With no wait for Prometheus's answers, each analysis records the "evaluating" placeholder and a later pass the
     * answer. Over a gate that already passed in the stage both are held in memory when the answer repeats the stored
     * verdict. Before, each analysis wrote two statuses: 25 in this stage.
     */
    @Test
    void analysesAnsweredByALaterPassWriteNoStatusWhileTheAnswerRepeatsThePass() {
        waitingForAnswers(Duration.ZERO);
        assertThat(storedDuringATwelveSecondStage())
                .as("stored statuses of the internal stage: its start, its first placeholder and answer, and no more"
                        + " than a few others")
                .isLessThanOrEqualTo(5);
    }

    /**
     * 1.0.0 promoted, then 2.0.0 with a 12 s internal stage: the stored statuses of that stage, after checking that the
     * gate was analysed about every second through it and that 2.0.0 was promoted.
     */
    private long storedDuringATwelveSecondStage() {
        firstReleaseIsPromoted();
        List<String> internal = new CopyOnWriteArrayList<>();
        try (Watch watch = watchStored(r -> {
            ModelReleaseStatus st = r.getStatus();
            if (st != null && "internal".equals(st.getStage()) && "2.0.0".equals(st.getCanaryVersion())) {
                internal.add(r.getMetadata().getResourceVersion());
            }
        })) {
            Releases.edit(client, NAME, r -> {
                StableServingFixture.setVersion(r, "2.0.0");
                r.getSpec().getStages().get(0).setMinDuration("12s");
            });
            awaitStatus(Duration.ofSeconds(30), s -> "internal".equals(s.getStage()));
            int asked = queries.get();
            awaitStatus(
                    Duration.ofSeconds(90),
                    s -> s.getPhase() == Phase.PROMOTED && "2.0.0".equals(s.getStableVersion()));
            assertThat(queries.get() - asked)
                    .as("the gate was analysed about every second through the 12 s stage")
                    .isGreaterThanOrEqualTo(8);
        }
        return internal.stream().distinct().count();
    }

    /**
     * The operator again, with {@code wait} for Prometheus's answers: far above a loopback answer (no fallback when
     * busy), or zero (every answer comes to a later pass).
     */
    private void waitingForAnswers(Duration wait) {
        operator.close();
        operator = new OperatorUnderTest(
                client,
                AnalysisGates.provider(
                        Optional.of(PrometheusSettings.of("http://127.0.0.1:"
                                        + prometheus.getAddress().getPort())
                                .withTimeout(Duration.ofSeconds(45))),
                        new QueryBudget(4, Duration.ZERO, Duration.ofSeconds(30), Duration.ofMinutes(1), 32, wait),
                        client,
                        CanaryEndpoint.clusterService(new ServerDefaults("fledge/model-server:0.1.0", 8080)),
                        new SafetySettings(Optional.empty(), 16),
                        HttpClient.newHttpClient()));
    }

    /** Hands every stored version of the release to {@code seen}, until the watch is closed. */
    private Watch watchStored(java.util.function.Consumer<ModelRelease> seen) {
        return client.resources(ModelRelease.class)
                .inNamespace(Releases.NS)
                .withName(NAME)
                .watch(new Watcher<>() {
                    @Override
                    public void eventReceived(Action action, ModelRelease r) {
                        seen.accept(r);
                    }

                    @Override
                    public void onClose(WatcherException cause) {}
                });
    }

    /** 1.0.0 with a metric gate analysed every second, created and promoted. */
    private void firstReleaseIsPromoted() {
        ModelRelease mr = Releases.gated(NAME, "1.0.0");
        client.resource(mr).create();
        awaitStatus(
                Duration.ofSeconds(60), s -> s.getPhase() == Phase.PROMOTED && "1.0.0".equals(s.getStableVersion()));
    }

    private ModelReleaseStatus awaitStatus(Duration timeout, Predicate<ModelReleaseStatus> p) {
        return Releases.awaitStatus(client, NAME, timeout, p);
    }
}
