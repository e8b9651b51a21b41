package dev.fledge.operator.mock;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import com.sun.net.httpserver.HttpExchange;
import com.sun.net.httpserver.HttpServer;
import dev.fledge.api.Labels;
import dev.fledge.api.ModelRelease;
import dev.fledge.api.spec.AnalysisSpec;
import dev.fledge.api.spec.ConfigMapKeyRef;
import dev.fledge.api.spec.JudgeSpec;
import dev.fledge.api.spec.SafetySpec;
import dev.fledge.api.spec.SuiteSpec;
import dev.fledge.api.status.GateResult;
import dev.fledge.api.status.ModelReleaseStatus;
import dev.fledge.api.status.Phase;
import dev.fledge.operator.gates.AnalysisGates;
import dev.fledge.operator.gates.safety.SafetyLimits;
import dev.fledge.operator.gates.safety.SafetySettings;
import dev.fledge.operator.gates.safety.SuiteConcurrency;
import dev.fledge.operator.http.OutboundPolicy;
import dev.fledge.testsupport.DeploymentReadiness;
import dev.fledge.testsupport.MockCluster;
import io.fabric8.kubernetes.api.model.ConfigMapBuilder;
import io.fabric8.kubernetes.api.model.NamespaceBuilder;
import io.fabric8.kubernetes.client.KubernetesClient;
import io.fabric8.kubernetes.client.utils.Serialization;
import java.io.IOException;
import java.io.OutputStream;
import java.net.InetSocketAddress;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.concurrent.atomic.AtomicReference;
import java.util.function.Predicate;
import java.util.stream.Collectors;
import java.util.stream.IntStream;
import org.awaitility.core.ConditionTimeoutException;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

/**
 * Safety suites through the whole operator: the production reconciler with the production gate backends
 * ({@link AnalysisGates}: the operator-wide {@code FairSuiteExecutor} with its default 4 slots, 2 per namespace, and
 * the wake-ups), canaries and a judge as real HTTP servers on loopback. Issue 14 item 13 (a new attempt never reads an
 * earlier attempt's run) and issue 15 finding 4 (one tenant's flood of slow suites does not stop another's release).
 */
class SuiteRunsOnMockApiServerTest {
    static final String FLOOD = "flood";
    static final String SUITE = IntStream.range(0, 20)
            .mapToObj(i -> "  - {id: q" + i + ", category: violence, prompt: \"prompt " + i + "\"}")
            .collect(Collectors.joining("\n", "prompts:\n", "\n"));

    MockCluster cluster;
    KubernetesClient client;
    DeploymentReadiness kubelet;
    OperatorUnderTest operator;
    HttpServer server;
    ExecutorService serverThreads;
    /** Released at the end: the slow canary's answers wait for it (at most the release's prompt timeout). */
    final CountDownLatch slowCanary = new CountDownLatch(1);
    /** Whether the judge flags every output as violence. */
    final AtomicBoolean judgeFlags = new AtomicBoolean();

    @BeforeEach
    void start() throws IOException {
        cluster = new MockCluster();
        client = cluster.client();
        for (String ns : List.of(FLOOD, Releases.NS)) {
            client.namespaces()
                    .resource(new NamespaceBuilder()
                            .withNewMetadata()
                            .withName(ns)
                            .endMetadata()
                            .build())
                    .create();
            client.configMaps()
                    .inNamespace(ns)
                    .resource(new ConfigMapBuilder()
                            .withNewMetadata()
                            .withName("red-team")
                            .endMetadata()
                            .withData(Map.of("prompts.yaml", SUITE))
                            .build())
                    .create();
        }
        server = HttpServer.create(new InetSocketAddress("127.0.0.1", 0), 0);
        serverThreads = Executors.newCachedThreadPool(r -> {
            Thread t = new Thread(r, "stub-model-server");
            t.setDaemon(true);
            return t;
        });
        server.setExecutor(serverThreads);
        // the flooding tenant's canaries take 25 s over every prompt (within its 30 s prompt timeout)
        server.createContext("/slow/v1/completions", ex -> {
            try {
                slowCanary.await(25, TimeUnit.SECONDS);
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
            }
            answer(ex, "{\"choices\":[{\"text\":\"late\"}]}");
        });
        server.createContext("/fast/v1/completions", ex -> answer(ex, "{\"choices\":[{\"text\":\"a calm answer\"}]}"));
        server.createContext(
                "/v1/moderations",
                ex -> answer(
                        ex,
                        judgeFlags.get()
                                ? "{\"results\":[{\"flagged\":true,\"categories\":{\"violence\":true}}]}"
                                : "{\"results\":[{\"flagged\":false,\"categories\":{}}]}"));
        server.start();
        kubelet = new DeploymentReadiness(client);
        operator = new OperatorUnderTest(
                client,
                AnalysisGates.provider(
                        Optional.empty(),
                        client,
                        mr -> base() + (FLOOD.equals(mr.getMetadata().getNamespace()) ? "/slow" : "/fast"),
                        new SafetySettings(Optional.empty(), 16)));
    }

    @AfterEach
    void stop() {
        slowCanary.countDown();
        operator.close();
        kubelet.close();
        server.stop(0);
        serverThreads.shutdownNow();
        cluster.close();
    }

    static void answer(HttpExchange ex, String json) throws IOException {
        ex.getRequestBody().readAllBytes();
        byte[] body = json.getBytes(StandardCharsets.UTF_8);
        ex.getResponseHeaders().add("Content-Type", "application/json");
        ex.sendResponseHeaders(200, body.length);
        try (OutputStream os = ex.getResponseBody()) {
            os.write(body);
        } catch (IOException e) {
            // the operator hung up
        }
    }

    String base() {
        return "http://127.0.0.1:" + server.getAddress().getPort();
    }

    /**
     * A release whose preflight is its safety suite; a lenient rule (harm rate up to 20%), so that one clean run of
     * 20 prompts passes it, and a violence flag is critical.
     */
    void create(String namespace, String name) {
        ModelRelease mr = Releases.replicas(name, "2.0.0");
        mr.getMetadata().setNamespace(namespace);
        mr.getSpec()
                .setAnalysis(new AnalysisSpec()
                        .withInterval("1s")
                        .withSafety(new SafetySpec()
                                .withSuite(new SuiteSpec()
                                        .withConfigMapRef(new ConfigMapKeyRef().withName("red-team"))
                                        .withConcurrency(4)
                                        .withTimeout("30s"))
                                .withJudge(new JudgeSpec().withUrl(base() + "/v1/moderations"))
                                .withMaxHarmRate(0.2)
                                .withConfidence(0.9)
                                .withCriticalCategories(List.of("violence"))));
        client.resource(mr).create();
    }

    /**
     * Issue 14 item 13: after {@code retry} of a release rolled back by its suite, the new attempt runs the suite
     * again. The executor still holds the earlier attempt's finished run 1 of preflight; a run named by version,
     * stage and number only would be handed to the new attempt, which would roll back again on the old flags.
     */
    @Test
    void aRetriedReleaseRunsItsSuiteAgainInsteadOfReadingTheEarlierAttemptsRun() {
        judgeFlags.set(true);
        create(Releases.NS, "assistant");
        ModelReleaseStatus failed =
                awaitStatus(Releases.NS, "assistant", Duration.ofSeconds(30), s -> s.getPhase() == Phase.FAILED);
        assertThat(safety(failed).getReason()).contains("critical category [violence]");

        judgeFlags.set(false); // the judge was wrong (or the canary fixed): the suite is now clean
        client.resources(ModelRelease.class)
                .inNamespace(Releases.NS)
                .withName("assistant")
                .edit(mr -> {
                    mr.getMetadata().getAnnotations().put(Labels.ACTION, "retry");
                    return mr;
                });
        // the retried attempt either passes preflight on a fresh run or fails again
        ModelReleaseStatus after = awaitStatus(
                Releases.NS,
                "assistant",
                Duration.ofSeconds(30),
                s -> s.getAction() != null
                        && "retry".equals(s.getAction().getValue())
                        && (s.getPhase() == Phase.FAILED || preflights(s, "Passed") > 0));
        assertThat(after.getPhase())
                .as("the retried attempt (%s)", after.getMessage())
                .isNotEqualTo(Phase.FAILED);
        assertThat(preflights(after, "Failed")).as("preflights failed").isEqualTo(1);
        assertThat(preflights(after, "Passed")).as("preflights passed").isEqualTo(1);
        assertThat(safety(after).getEvidence())
                .singleElement()
                .satisfies(e -> assertThat(e.getFlagged())
                        .as("flags counted in the retried attempt")
                        .isZero());
    }

    /**
     * Issue 15 finding 4: one namespace floods the operator with slow suite runs (six releases whose canary takes 25 s
     * over each prompt, 20 prompts each: minutes per run); another namespace's release still gets its suite run and
     * leaves preflight within seconds, while the flood's runs are still under way.
     */
    @Test
    void aNamespaceFloodingSlowSuitesDoesNotStopAnotherNamespacesReleaseFromMovingOn() {
        for (int i = 0; i < 6; i++) {
            create(FLOOD, "flood-" + i);
        }
        // the flood holds every slot its namespace may have before the other tenant arrives
        await().atMost(Duration.ofSeconds(30))
                .until(() -> IntStream.range(0, 6)
                                .filter(i -> suiteRunning(FLOOD, "flood-" + i))
                                .count()
                        == 6);

        long t0 = System.nanoTime();
        create(Releases.NS, "assistant");
        ModelReleaseStatus moved =
                awaitStatus(Releases.NS, "assistant", Duration.ofSeconds(30), st -> preflights(st, "Passed") > 0);
        Duration took = Duration.ofNanos(System.nanoTime() - t0);
        assertThat(took).as("the other tenant's release left preflight after").isLessThan(Duration.ofSeconds(30));
        assertThat(moved.getPhase()).isIn(Phase.PROGRESSING, Phase.PROMOTED);
        assertThat(safety(moved).getEvidence())
                .as("suite outputs judged in this rollout")
                .singleElement()
                .satisfies(e -> assertThat(e.getSamples()).isGreaterThanOrEqualTo(20L));

        // the flood was real: every flooding release is still in preflight with its suite queued or running
        for (int i = 0; i < 6; i++) {
            ModelReleaseStatus s = status(FLOOD, "flood-" + i);
            assertThat(s.getStage()).as("flood-%d", i).isEqualTo("preflight");
            assertThat(suiteRunning(FLOOD, "flood-" + i)).as("flood-%d", i).isTrue();
        }
    }

    /**
     * Issue 15 finding 4 (review): the operator has 2 suite slots, and two slow releases of one namespace hold both
     * (minutes per run). They are deleted: their runs stop and free the slots, so another namespace's release gets
     * its run and leaves preflight within seconds. Before the fix a deleted release's run went on to its end.
     */
    @Test
    void aDeletedReleasesSuiteRunFreesItsSlotForOtherReleases() {
        operator.close();
        operator = new OperatorUnderTest(
                client,
                AnalysisGates.provider(
                        Optional.empty(),
                        client,
                        mr -> base() + (FLOOD.equals(mr.getMetadata().getNamespace()) ? "/slow" : "/fast"),
                        new SafetySettings(
                                Optional.empty(),
                                16,
                                SafetyLimits.standard(),
                                OutboundPolicy.permissive(),
                                new SuiteConcurrency(2, 2))));
        create(FLOOD, "flood-0");
        create(FLOOD, "flood-1");
        await().atMost(Duration.ofSeconds(30))
                .until(() -> suiteRunning(FLOOD, "flood-0") && suiteRunning(FLOOD, "flood-1"));
        create(Releases.NS, "assistant");
        for (String name : List.of("flood-0", "flood-1")) {
            client.resources(ModelRelease.class)
                    .inNamespace(FLOOD)
                    .withName(name)
                    .delete();
        }
        ModelReleaseStatus moved =
                awaitStatus(Releases.NS, "assistant", Duration.ofSeconds(20), st -> preflights(st, "Passed") > 0);
        assertThat(moved.getPhase()).isIn(Phase.PROGRESSING, Phase.PROMOTED);
    }

    /** How many preflights of this release ended with {@code result} (Passed, Failed), from its stage history. */
    static long preflights(ModelReleaseStatus s, String result) {
        return s.getHistory() == null
                ? 0
                : s.getHistory().stream()
                        .filter(h -> "preflight".equals(h.getStage()) && result.equals(h.getResult()))
                        .count();
    }

    boolean suiteRunning(String namespace, String name) {
        ModelReleaseStatus s = status(namespace, name);
        GateResult g = s == null ? null : safety(s);
        return g != null
                && g.getSuiteRun() != null
                && "Running".equals(g.getSuiteRun().getState());
    }

    static GateResult safety(ModelReleaseStatus s) {
        return s.getGates() == null
                ? null
                : s.getGates().stream()
                        .filter(g -> "safety".equals(g.getName()))
                        .findFirst()
                        .orElse(null);
    }

    ModelReleaseStatus status(String namespace, String name) {
        ModelRelease mr = client.resources(ModelRelease.class)
                .inNamespace(namespace)
                .withName(name)
                .get();
        return mr == null ? null : mr.getStatus();
    }

    ModelReleaseStatus awaitStatus(String namespace, String name, Duration timeout, Predicate<ModelReleaseStatus> p) {
        AtomicReference<ModelReleaseStatus> holder = new AtomicReference<>();
        try {
            await().atMost(timeout).pollInterval(Duration.ofMillis(100)).until(() -> {
                ModelReleaseStatus s = status(namespace, name);
                if (s != null && p.test(s)) {
                    holder.set(s);
                    return true;
                }
                return false;
            });
        } catch (ConditionTimeoutException e) {
            throw new AssertionError(
                    "status of " + namespace + "/" + name + " after " + timeout + ": "
                            + Serialization.asJson(status(namespace, name)),
                    e);
        }
        return holder.get();
    }
}
