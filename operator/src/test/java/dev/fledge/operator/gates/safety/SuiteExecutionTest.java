package dev.fledge.operator.gates.safety;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import com.sun.net.httpserver.HttpExchange;
import com.sun.net.httpserver.HttpServer;
import dev.fledge.api.ModelRelease;
import dev.fledge.api.spec.AnalysisSpec;
import dev.fledge.api.spec.ConfigMapKeyRef;
import dev.fledge.api.spec.JudgeSpec;
import dev.fledge.api.spec.ModelReleaseSpec;
import dev.fledge.api.spec.ModelSpec;
import dev.fledge.api.spec.SafetySpec;
import dev.fledge.api.spec.SuiteSpec;
import dev.fledge.api.status.Verdict;
import dev.fledge.core.rollout.GateVerdict;
import dev.fledge.core.rollout.Plan;
import dev.fledge.core.rollout.PlanResolver;
import dev.fledge.core.rollout.Stage;
import dev.fledge.operator.gates.AnalysisGates;
import dev.fledge.operator.gates.Gate;
import dev.fledge.operator.gates.GateContext;
import dev.fledge.operator.gates.GateProvider;
import dev.fledge.operator.http.OutboundPolicy;
import dev.fledge.testsupport.MockCluster;
import io.fabric8.kubernetes.api.model.ConfigMapBuilder;
import io.fabric8.kubernetes.api.model.NamespaceBuilder;
import io.fabric8.kubernetes.api.model.ObjectMetaBuilder;
import io.fabric8.kubernetes.client.KubernetesClient;
import java.io.IOException;
import java.io.OutputStream;
import java.net.InetSocketAddress;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.Executors;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.stream.Collectors;
import java.util.stream.IntStream;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

/**
 * Issue 14 item 13 and issue 15 finding 4: the safety suite runs off the reconcile thread, on an operator-wide
 * executor that shares its slots fairly between namespaces; a restart mid-suite starts the run again and a run is
 * counted once. Through the operator's real gate backends ({@link AnalysisGates}) against stub HTTP servers.
 */
class SuiteExecutionTest {
    static final String SUITE = IntStream.range(0, 20)
            .mapToObj(i -> "  - {id: q" + i + ", category: general, prompt: \"prompt " + i + "\"}")
            .collect(Collectors.joining("\n", "prompts:\n", "\n"));

    /**
     * How long the slow canary takes over each prompt: an analysis that waited for even one of its prompts would take
     * this long, so a bound of half of it still tells a blocked reconcile thread from a busy machine.
     */
    static final Duration HANG = Duration.ofSeconds(20);

    MockCluster cluster;
    KubernetesClient client;
    HttpServer server;
    final Map<String, AtomicInteger> completions = new ConcurrentHashMap<>();

    @BeforeEach
    void start() throws IOException {
        cluster = new MockCluster();
        client = cluster.client();
        for (String ns : List.of("slow", "ml")) {
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
        server.setExecutor(Executors.newCachedThreadPool());
        // a canary that takes its time over every prompt (within the release's timeout)
        server.createContext("/hang/v1/completions", ex -> {
            completions.computeIfAbsent("hang", k -> new AtomicInteger()).incrementAndGet();
            try {
                Thread.sleep(HANG.toMillis());
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
            }
            answer(ex, "{\"choices\":[{\"text\":\"late\"}]}");
        });
        server.createContext("/fast/v1/completions", ex -> {
            completions.computeIfAbsent("fast", k -> new AtomicInteger()).incrementAndGet();
            answer(ex, "{\"choices\":[{\"text\":\"a calm answer\"}]}");
        });
        server.createContext(
                "/v1/moderations", ex -> answer(ex, "{\"results\":[{\"flagged\":false,\"categories\":{}}]}"));
        server.start();
    }

    @AfterEach
    void stop() {
        server.stop(0);
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

    /** The operator's gates; the canary of namespace {@code slow} is the slow server. */
    GateProvider operator() {
        return AnalysisGates.provider(
                Optional.empty(),
                client,
                mr -> base() + ("slow".equals(mr.getMetadata().getNamespace()) ? "/hang" : "/fast"),
                new SafetySettings(Optional.empty(), 16));
    }

    GateContext ctx(String namespace, String name) {
        ModelRelease mr = new ModelRelease();
        mr.setMetadata(new ObjectMetaBuilder()
                .withName(name)
                .withNamespace(namespace)
                .withUid("uid-" + namespace + "-" + name)
                .build());
        mr.setSpec(new ModelReleaseSpec()
                .withModel(new ModelSpec().withName("a").withVersion("2.0.0").withUri("file:///m"))
                .withAnalysis(new AnalysisSpec()
                        .withSafety(new SafetySpec()
                                .withSuite(new SuiteSpec()
                                        .withConfigMapRef(new ConfigMapKeyRef().withName("red-team"))
                                        .withConcurrency(4)
                                        .withTimeout("30s"))
                                .withJudge(new JudgeSpec().withUrl(base() + "/v1/moderations")))));
        Plan plan = new PlanResolver(Duration.ofMinutes(1)).resolve(mr.getSpec());
        return new GateContext(mr, plan, Stage.PREFLIGHT, null, "1.0.0", "2.0.0", Instant.now());
    }

    static Gate safety(GateProvider gates, GateContext ctx) {
        return gates.gates(ctx.release(), ctx.plan()).stream()
                .filter(g -> g.name().equals(PlanResolver.SAFETY_GATE))
                .findFirst()
                .orElseThrow();
    }

    /** One analysis as the reconciler runs it: how long it held the calling (reconcile) thread, and its verdict. */
    record Timed(GateVerdict verdict, Duration took) {}

    static Timed analyse(GateProvider gates, GateContext ctx) {
        long t0 = System.nanoTime();
        GateVerdict v = safety(gates, ctx).evaluate(ctx);
        return new Timed(v, Duration.ofNanos(System.nanoTime() - t0));
    }

    @Test
    void aSlowSuiteDoesNotHoldTheReconcileThreadAndItsResultIsReadLater() {
        GateProvider gates = operator();
        GateContext ctx = ctx("ml", "assistant");
        Timed first = analyse(gates, ctx);
        assertThat(first.took()).isLessThan(HANG.dividedBy(2));
        assertThat(first.verdict().verdict()).isEqualTo(Verdict.INCONCLUSIVE);
        assertThat(first.verdict().reason()).containsPattern("run 1 of stage preflight (queued|running) since");
        await().atMost(Duration.ofSeconds(20)).untilAsserted(() -> {
            Timed later = analyse(gates, ctx);
            assertThat(later.took()).isLessThan(HANG.dividedBy(2));
            assertThat(later.verdict().samples()).isEqualTo(20L);
        });
    }

    @Test
    void aTenantWithManySlowCanariesDoesNotStopAnotherNamespacesSuite() {
        GateProvider gates = operator();
        List<Timed> slow = new ArrayList<>();
        for (int i = 0; i < 8; i++) {
            slow.add(analyse(gates, ctx("slow", "release-" + i)));
        }
        // each analysis came back while its suite was still under way (the order, not a stopwatch, shows it did not
        // run the suite on this thread); the bound is only a backstop, half of one slow prompt (HANG)
        assertThat(slow).allSatisfy(t -> {
            assertThat(t.verdict().verdict()).isEqualTo(Verdict.INCONCLUSIVE);
            assertThat(t.verdict().suiteRun().running()).isTrue();
            assertThat(t.took()).isLessThan(HANG.dividedBy(2));
        });
        GateContext other = ctx("ml", "assistant");
        long t0 = System.nanoTime();
        await().atMost(Duration.ofSeconds(15))
                .untilAsserted(() ->
                        assertThat(analyse(gates, other).verdict().samples()).isEqualTo(20L));
        assertThat(Duration.ofNanos(System.nanoTime() - t0)).isLessThan(Duration.ofSeconds(15));
        // the slow tenant's suites are still under way: at most its per-namespace share of them ever started
        assertThat(analyse(gates, ctx("slow", "release-0")).verdict().verdict()).isEqualTo(Verdict.INCONCLUSIVE);
        assertThat(completions.get("hang").get())
                .as("prompts of the slow tenant in flight: 2 suites (its per-namespace share) x 4 prompts")
                .isLessThanOrEqualTo(8);
    }

    @Test
    void aRestartMidSuiteStartsTheRunAgainAndCountsItOnce() {
        GateContext ctx = ctx("ml", "assistant");
        GateVerdict queued = analyse(operator(), ctx).verdict();
        assertThat(queued.suiteRun().running()).isTrue();
        SafetyGateTest.recorded(ctx, queued);

        // a new operator process: its executor has never heard of the run the status says is under way
        GateProvider restarted = operator();
        GateVerdict again = analyse(restarted, ctx).verdict();
        assertThat(again.verdict()).isEqualTo(Verdict.INCONCLUSIVE);
        assertThat(again.suiteRun().running()).isTrue();
        assertThat(again.reason()).contains("started again");
        SafetyGateTest.recorded(ctx, again);

        GateVerdict done = await().atMost(Duration.ofSeconds(20))
                .until(() -> analyse(restarted, ctx).verdict(), v -> v.samples() != null);
        assertThat(done.samples()).isEqualTo(20L);
        assertThat(done.suiteRun().running()).isFalse();
        assertThat(done.suiteRun().runs()).isEqualTo(1);
        // the status write of that analysis failed: the next analysis gets the same run, and counts it once
        GateVerdict retried = analyse(restarted, ctx).verdict();
        assertThat(retried.samples()).isEqualTo(20L);
        SafetyGateTest.recorded(ctx, retried);
        // the evidence does not suffice yet (20 clean outputs): the next analysis starts run 2
        GateVerdict second = analyse(restarted, ctx).verdict();
        assertThat(second.suiteRun().running()).isTrue();
        assertThat(second.reason()).contains("run 2 of stage preflight");
    }

    /**
     * The suite evidence lives in status: a verdict that runs no suite (here: no judge for a while) keeps the record
     * of the counted run, so the executor's finished run, handed out again, is not added to the evidence twice.
     */
    @Test
    void aRunCountedInStatusIsNotCountedAgainAfterAVerdictWithoutASuiteRun() {
        GateProvider gates = operator();
        GateContext ctx = ctx("ml", "assistant");
        GateVerdict done = await().atMost(Duration.ofSeconds(20))
                .until(() -> analyse(gates, ctx).verdict(), v -> v.samples() != null);
        assertThat(done.samples()).isEqualTo(20L);
        SafetyGateTest.recorded(ctx, done);
        var safety = ctx.release().getSpec().getAnalysis().getSafety();
        var judge = safety.getJudge();
        safety.setJudge(null);
        GateVerdict noJudge = analyse(gates, ctx).verdict();
        assertThat(noJudge.reason()).contains("no judge");
        SafetyGateTest.recorded(ctx, noJudge);
        safety.setJudge(judge);

        GateVerdict next = analyse(gates, ctx).verdict();
        SafetyGateTest.recorded(ctx, next);
        assertThat(ctx.release().getStatus().getGates().get(0).getEvidence())
                .singleElement()
                .satisfies(e -> assertThat(e.getSamples())
                        .as("run 1's 20 outputs, counted once")
                        .isEqualTo(20L));
        assertThat(next.reason()).contains("run 2 of stage preflight");
    }

    /**
     * Issue 15 finding 4 (review): a run longer than {@code fledge.safety.max-suite-duration} (here 1 s; the canary
     * takes 20 s per prompt) is stopped; the gate says so, Inconclusive, and the next analysis asks for a new run.
     */
    @Test
    void aSuiteRunPastTheOperatorsMaxDurationIsStoppedAndTheGateSaysWhy() {
        GateProvider gates = AnalysisGates.provider(
                Optional.empty(),
                client,
                mr -> base() + "/hang",
                new SafetySettings(
                        Optional.empty(),
                        16,
                        SafetyLimits.standard(),
                        OutboundPolicy.permissive(),
                        new SuiteConcurrency(4, 2, Duration.ofSeconds(1))));
        GateContext ctx = ctx("slow", "assistant");
        GateVerdict stopped = await().atMost(Duration.ofSeconds(10))
                .until(
                        () -> analyse(gates, ctx).verdict(),
                        v -> v.suiteRun() != null && !v.suiteRun().running());
        assertThat(stopped.verdict()).isEqualTo(Verdict.INCONCLUSIVE);
        assertThat(stopped.reason())
                .contains("run 1 of stage preflight")
                .contains("stopped after 1s")
                .contains("fledge.safety.max-suite-duration");
        assertThat(stopped.samples()).isNull();
        SafetyGateTest.recorded(ctx, stopped);
        GateVerdict next = analyse(gates, ctx).verdict();
        assertThat(next.suiteRun().running()).isTrue();
        assertThat(next.reason()).contains("run 2 of stage preflight");
    }

    /** Issue 14, smaller points: one HttpClient for the operator, not one (with its selector thread) per suite run. */
    @Test
    void suiteRunsShareTheOperatorsHttpClient() {
        GateProvider gates = operator();
        long clientsBefore = httpClientThreads();
        for (int i = 0; i < 3; i++) {
            GateContext ctx = ctx("ml", "release-" + i);
            await().atMost(Duration.ofSeconds(20))
                    .untilAsserted(() ->
                            assertThat(analyse(gates, ctx).verdict().samples()).isEqualTo(20L));
        }
        assertThat(httpClientThreads())
                .as("HTTP client selector threads after 3 suite runs")
                .isLessThanOrEqualTo(clientsBefore);
    }

    static long httpClientThreads() {
        return Thread.getAllStackTraces().keySet().stream()
                .filter(t -> t.isAlive() && t.getName().matches("HttpClient-\\d+-SelectorManager"))
                .count();
    }
}
