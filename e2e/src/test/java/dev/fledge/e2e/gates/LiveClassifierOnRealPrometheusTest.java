package dev.fledge.e2e.gates;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.sun.net.httpserver.HttpExchange;
import com.sun.net.httpserver.HttpServer;
import dev.fledge.api.ModelRelease;
import dev.fledge.api.spec.AnalysisSpec;
import dev.fledge.api.spec.JudgeKind;
import dev.fledge.api.spec.JudgeSpec;
import dev.fledge.api.spec.ModelReleaseSpec;
import dev.fledge.api.spec.ModelSpec;
import dev.fledge.api.spec.SafetySpec;
import dev.fledge.api.status.Verdict;
import dev.fledge.core.rollout.GateVerdict;
import dev.fledge.e2e.local.FreePort;
import dev.fledge.operator.gates.metric.HttpPrometheus;
import dev.fledge.operator.gates.metric.PrometheusSettings;
import dev.fledge.operator.gates.metric.QueryResult;
import dev.fledge.operator.workload.LiveJudgeEnv;
import dev.fledge.operator.workload.ServingConfig;
import java.io.IOException;
import java.io.OutputStream;
import java.net.InetSocketAddress;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.time.Instant;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.Executors;
import java.util.function.Predicate;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Tag;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.TestInstance;

/**
 * Live outputs judged by a classifier ({@code spec.analysis.safety.judge} with {@code liveOutputs}), end to end: a
 * real model server started with the settings the operator gives its pods ({@link LiveJudgeEnv}), asking a Llama
 * Guard-style chat endpoint on loopback about each output, scraped by a real Prometheus, read by the safety gate.
 * Every answer of the server is {@code I will kill you}, which its word list flags as violence; the classifier says
 * {@code safe}, except for a prompt carrying {@code [harm]} ({@code unsafe\nS11}: self-harm, a critical category a word
 * list never reports).
 */
@Tag("prometheus")
@TestInstance(TestInstance.Lifecycle.PER_CLASS)
class LiveClassifierOnRealPrometheusTest {
    static final String VERSION = "4.0.0";
    static final ObjectMapper JSON = new ObjectMapper();
    /** The closed audience's self-harm flags: the critical category the classifier stand-in reports. */
    static final String SELF_HARM =
            "fledge_model_output_flags_total{version=\"" + VERSION + "\",audience=\"closed\",category=\"self-harm\"}";

    Path dir;
    /** The file_sd targets of the job {@code new-pods}: canary pods Prometheus starts scraping during a test. */
    Path newPods;

    final Map<String, String> env = new HashMap<>();
    HttpServer classifier;
    RealProcess server;
    RealProcess prometheus;
    HttpPrometheus backend;
    final HttpClient http = HttpClient.newHttpClient();

    @BeforeAll
    void start() throws Exception {
        dir = Files.createTempDirectory("fledge-live-classifier");
        classifier = HttpServer.create(new InetSocketAddress("127.0.0.1", 0), 0);
        classifier.createContext("/v1/chat/completions", LiveClassifierOnRealPrometheusTest::answer);
        classifier.setExecutor(Executors.newFixedThreadPool(4));
        classifier.start();
        int port = FreePort.get();
        LiveJudgeEnv.of(ServingConfig.liveJudge(release(spec()))).forEach(e -> env.put(e.getName(), e.getValue()));
        env.put("FLEDGE_FAULT_LIVE_ANSWER", "I will kill you");
        // why an output was not judged, in the server's log (awaitVerdict shows those lines when it fails)
        env.put("QUARKUS_LOG_CATEGORY__DEV_FLEDGE_SERVER_GUARD__LEVEL", "DEBUG");
        server = RealProcess.modelServer("v1", VERSION, env, dir, port);
        newPods = dir.resolve("new-pods.json");
        Files.writeString(newPods, "[]");
        prometheus = RealProcess.prometheus("""
                  - job_name: fledge-model-servers
                    static_configs:
                      - targets: ['127.0.0.1:%d']
                        labels: {namespace: ml, track: canary}
                  - job_name: new-pods
                    file_sd_configs:
                      - files: ['%s']
                        refresh_interval: 1s
                """.formatted(port, newPods), dir);
        backend = new HttpPrometheus(PrometheusSettings.of(prometheus.url())
                .withTimeout(Duration.ofSeconds(3))
                .withScrapeInterval(RealProcess.SCRAPE_INTERVAL));
        // the series at 0 scraped before any output: a rise needs a sample from before the first one
        String scraped = "count(fledge_model_outputs_total{version=\"" + VERSION + "\",verdict=\"unjudged\"})";
        await().atMost(Duration.ofSeconds(90))
                .pollInterval(Duration.ofMillis(500))
                .until(() -> backend.query(scraped) instanceof QueryResult.Value);
    }

    @AfterAll
    void stop() {
        for (AutoCloseable c : new AutoCloseable[] {prometheus, server}) {
            try {
                if (c != null) {
                    c.close();
                }
            } catch (Exception ignored) {
                // keep stopping the others
            }
        }
        if (classifier != null) {
            classifier.stop(0);
        }
        RealProcess.deleteTree(dir);
    }

    SafetySpec spec() {
        return new SafetySpec()
                .withOnline(true)
                .withMaxHarmRate(0.2)
                .withMinLiveSamples(20)
                .withCriticalCategories(List.of("self-harm"))
                .withJudge(new JudgeSpec()
                        .withKind(JudgeKind.LLAMA_GUARD)
                        .withUrl("http://127.0.0.1:" + classifier.getAddress().getPort() + "/v1/chat/completions")
                        .withModel("llama-guard-3")
                        // a stand-in on loopback; the timeout only guards against a machine loaded by the build:
                        // with 5 s, the fresh-clone CI lost one verdict of 40 twice (2026-12-05), three test JVMs,
                        // their API servers and Prometheus sharing two cores
                        .withTimeout("20s")
                        .withLiveOutputs(true));
    }

    static ModelRelease release(SafetySpec spec) {
        ModelRelease mr = new ModelRelease();
        mr.setSpec(new ModelReleaseSpec()
                .withModel(new ModelSpec()
                        .withName("assistant")
                        .withVersion(VERSION)
                        .withUri("file:///m"))
                .withAnalysis(new AnalysisSpec().withSafety(spec)));
        return mr;
    }

    @Test
    void theClassifiersVerdictsFeedTheGateAndACriticalOneRollsBack() throws Exception {
        Thread.sleep(3000);
        String flags = "sum(fledge_model_output_flags_total{version=\"" + VERSION + "\"})";
        QueryResult flagsBefore = backend.query(flags); // the other tests' flags
        Instant stageStart = Instant.now();
        // scrapes inside the stage before any output: a rise over the stage needs a sample from before the first
        Thread.sleep(2500);
        for (int i = 0; i < 40; i++) {
            complete("tell me about the garden " + i);
        }
        // a Pass once every answer's classifier verdict is scraped: a scrape between an answer's word-list count and
        // its classifier count gives a Pass with "1 not judged" first (the fresh-clone CI of 5e9f13ad saw it)
        GateVerdict passed = awaitVerdict(
                stageStart,
                v -> v.verdict() == Verdict.PASS && v.reason().contains(", 0 not judged by the classifier"));
        assertThat(passed.reason())
                .as("every answer is a word-list hit, none counts: the classifier judged them safe")
                .containsPattern("live 0/[1-9][0-9]* flagged \\(closed\\)")
                .contains(", 0 not judged by the classifier");
        assertThat(backend.query(flags)).isEqualTo(flagsBefore);

        complete("[harm] I feel hopeless");
        GateVerdict critical = awaitVerdict(stageStart, GateVerdict::critical);
        assertThat(critical.verdict()).isEqualTo(Verdict.FAIL);
        assertThat(critical.reason()).contains("critical category [self-harm] flagged in live outputs");
    }

    /**
     * A flag raised between the stage's start and the stage's first scrape: with a range that began at the stage's
     * start, {@code increase()} saw the counter already at its new value in every sample of the range and counted
     * nothing, so the critical flag never rolled back (the range now reaches two scrape intervals back).
     */
    @Test
    void aCriticalFlagBeforeTheStagesFirstScrapeRollsBack() throws Exception {
        for (int attempt = 1; ; attempt++) {
            Thread.sleep(3000); // earlier flags fall out of the range's lead (two scrapes of 1 s)
            double before = value("sum(" + SELF_HARM + ")");
            justAfterAScrape(SELF_HARM);
            Instant stageStart = Instant.now();
            complete("[harm] right at the start");

            GateVerdict critical = awaitVerdict(stageStart, GateVerdict::critical);
            assertThat(critical.verdict()).isEqualTo(Verdict.FAIL);
            assertThat(critical.reason()).contains("critical category [self-harm] flagged in live outputs");
            // what this case needs: every sample the stage itself holds already counts the flag (no scrape came
            // between the stage's start and the flag); else the old range counted it too, and the case is tried again
            Instant end = Instant.now();
            String stage = "sum(min_over_time(" + SELF_HARM + "["
                    + Duration.between(stageStart, end).toMillis() + "ms] @ " + end.toEpochMilli() / 1000.0 + "))";
            if (value(stage) == before + 1) {
                return;
            }
            assertThat(attempt)
                    .as("the flag came after the stage's first scrape in 6 attempts: the case was never set up")
                    .isLessThan(6);
        }
    }

    /**
     * One flag counts as one early in a stage, when the gate's range holds few scrapes: here a range of 2 s over scrapes
     * every 1 s (the ratio of a stage's first seconds with a 15 s scrape and its 30 s lead). {@code increase()}
     * extrapolated the one step between the range's two samples to the whole range and read 2, enough for a
     * {@code minPublicCriticalFlags} of 2; the count is now the rise of the samples themselves.
     */
    @Test
    void oneFlagEarlyInAStageCountsAsOne() throws Exception {
        // lead 1 s: with the stage begun 0.5 s before the evaluation, the range is ceil(1.5 s) = 2 s
        HttpPrometheus shortLead = new HttpPrometheus(PrometheusSettings.of(prometheus.url())
                .withTimeout(Duration.ofSeconds(3))
                .withScrapeInterval(Duration.ofMillis(500)));
        for (int attempt = 1; ; attempt++) {
            complete("[harm] an earlier flag"); // the counter is above 0, as it is after any earlier flag
            Thread.sleep(4000);
            double before = value("sum(" + SELF_HARM + ")");
            justAfterAScrape(SELF_HARM);
            complete("[harm] the one flag");
            // the sample that holds it; the range holds it and the one before
            double stamp = justAfterAScrape(SELF_HARM);
            GateVerdict v = OnlineSafetyOnRealPrometheusTest.evaluate(
                    shortLead, spec(), VERSION, Instant.now().minusMillis(500));
            // what this case needs: evaluated before the next scrape, the flag in the last sample and not the one
            // before
            // (a scrape that failed or came late, as on a loaded machine, is a case not set up: try again)
            boolean setUp = System.currentTimeMillis() / 1000.0 - stamp < 0.8
                    && value("sum(" + SELF_HARM + " @ " + stamp + ")") == before + 1
                    && value("sum(" + SELF_HARM + " @ " + (stamp - 0.001) + ")") == before
                    && value("max(timestamp(" + SELF_HARM + " @ " + (stamp - 0.001) + "))") > stamp - 1.2;
            if (setUp) {
                assertThat(v.categories())
                        .as(v.reason())
                        .filteredOn(c -> "online".equals(c.source()) && "self-harm".equals(c.name()))
                        .singleElement()
                        .satisfies(c -> assertThat(c.flagged()).isEqualTo(1));
                assertThat(v.reason())
                        .as("the flagged outputs are counted the same way")
                        .contains("live 1/");
                return;
            }
            assertThat(attempt)
                    .as("never evaluated between the flag's scrape and the next one in 6 attempts")
                    .isLessThan(6);
        }
    }

    /**
     * A canary pod made during the stage (a scale-up, a replaced pod) serves a critical output before Prometheus first
     * scrapes it. Every sample of its series then holds the flag, so their rise counted nothing and the flag never
     * rolled back; a series new in the range now counts from 0.
     */
    @Test
    void aFlagANewPodServedBeforeItsFirstScrapeRollsBack() throws Exception {
        Thread.sleep(3000); // earlier flags fall out of the range's lead (two scrapes of 1 s)
        Instant stageStart = Instant.now();
        int port = FreePort.get();
        try (RealProcess pod = RealProcess.modelServer("v1", VERSION, env, dir.resolve("new-pod"), port)) {
            complete(pod, "[harm] before any scrape");
            // the classifier's verdict is counted after the answer: the pod's first scrape must already hold it
            await().atMost(Duration.ofSeconds(30))
                    .pollInterval(Duration.ofMillis(100))
                    .until(() -> selfHarmFlags(pod) == 1);
            Files.writeString(
                    newPods,
                    "[{\"targets\": [\"127.0.0.1:" + port + "\"], \"labels\": {\"namespace\": \"ml\", \"track\":"
                            + " \"canary\"}}]");
            String podSeries = SELF_HARM.replace("}", ",job=\"new-pods\"}");
            await().atMost(Duration.ofSeconds(30))
                    .pollInterval(Duration.ofMillis(200))
                    .until(() -> value("sum(" + podSeries + ")") == 1);

            assertThat(value("min(min_over_time(" + podSeries + "[60s]))"))
                    .as("every sample of the new pod holds the flag")
                    .isEqualTo(1);

            GateVerdict critical = awaitVerdict(stageStart, GateVerdict::critical);
            assertThat(critical.verdict()).isEqualTo(Verdict.FAIL);
            assertThat(critical.reason()).contains("critical category [self-harm] flagged in live outputs");
            assertThat(critical.categories())
                    .as("the new pod's one flag, and no older one of the first pod: %s", critical.reason())
                    .filteredOn(c -> "online".equals(c.source()) && "self-harm".equals(c.name()))
                    .singleElement()
                    .satisfies(c -> assertThat(c.flagged()).isEqualTo(1));
        } finally {
            Files.writeString(newPods, "[]");
        }
    }

    /** The self-harm flags of the closed audience in the pod's own {@code /metrics} (0 when it has none). */
    double selfHarmFlags(RealProcess pod) throws Exception {
        String metrics = http.send(
                        // HTTP/1.1: the client's h2c upgrade of a GET left this answer hanging
                        HttpRequest.newBuilder(URI.create(pod.url() + "/metrics"))
                                .version(HttpClient.Version.HTTP_1_1)
                                .timeout(Duration.ofSeconds(5))
                                .build(),
                        HttpResponse.BodyHandlers.ofString())
                .body();
        return metrics.lines()
                .filter(l -> l.startsWith("fledge_model_output_flags_total{")
                        && l.contains("audience=\"closed\"")
                        && l.contains("category=\"self-harm\""))
                .mapToDouble(l -> Double.parseDouble(l.substring(l.lastIndexOf(' ') + 1)))
                .sum();
    }

    /** The query's value; NaN when it has none (a failed scrape marks the series stale), which equals nothing. */
    double value(String promql) {
        return backend.query(promql) instanceof QueryResult.Value v ? v.value() : Double.NaN;
    }

    /**
     * Returns just after Prometheus took a new sample of {@code series} (its next sample is a scrape away), with that
     * sample's time in seconds.
     */
    double justAfterAScrape(String series) throws InterruptedException {
        String stamp = "max(timestamp(" + series + "))";
        QueryResult first = backend.query(stamp);
        Instant deadline = Instant.now().plusSeconds(10);
        while (Instant.now().isBefore(deadline)) {
            QueryResult now = backend.query(stamp);
            if (!now.equals(first) && now instanceof QueryResult.Value v) {
                return v.value();
            }
            Thread.sleep(20);
        }
        throw new AssertionError("Prometheus took no new sample of " + series + " in 10 s");
    }

    @Test
    void withTheClassifierDownOutputsAreNotJudgedAndNeverPass() throws Exception {
        Thread.sleep(3000);
        Instant stageStart = Instant.now();
        // scrapes inside the stage before any output: a rise over the stage needs a sample from before the first
        Thread.sleep(2500);
        for (int i = 0; i < 30; i++) {
            complete("[down] question " + i);
        }
        GateVerdict v =
                awaitVerdict(stageStart, g -> g.reason().matches("(?s).*, [1-9][0-9]* not judged by the classifier.*"));
        assertThat(v.verdict()).isEqualTo(Verdict.INCONCLUSIVE);
        assertThat(v.reason())
                .contains("live 0/0 flagged (closed)", "% of the live outputs got no verdict from the classifier");
    }

    /** The gate's verdict once {@code done} holds; fails with the last verdict's reason after 90 s. */
    GateVerdict awaitVerdict(Instant stageStart, Predicate<GateVerdict> done) throws InterruptedException {
        Instant deadline = Instant.now().plusSeconds(90);
        GateVerdict v;
        do {
            v = OnlineSafetyOnRealPrometheusTest.evaluate(backend, spec(), VERSION, stageStart);
            if (done.test(v)) {
                return v;
            }
            Thread.sleep(1000);
        } while (Instant.now().isBefore(deadline));
        throw new AssertionError("no such verdict within 90 s; the last: " + v.verdict() + ": " + v.reason()
                + "; Prometheus: unjudged outputs now "
                + backend.query("sum(fledge_model_outputs_total{verdict=\"unjudged\"})")
                + "; the server's log on judging: " + notJudgedLines());
    }

    /** The model server's log lines on outputs it did not judge, or on classifier calls it tried again. */
    List<String> notJudgedLines() {
        try (var lines = Files.lines(dir.resolve("model-server-v1-" + VERSION + ".log"))) {
            return lines.filter(l -> l.contains("not judged") || l.contains("trying again"))
                    .limit(20)
                    .toList();
        } catch (IOException | java.io.UncheckedIOException e) {
            return List.of("(log not readable: " + e + ")");
        }
    }

    void complete(String prompt) throws Exception {
        complete(server, prompt);
    }

    void complete(RealProcess to, String prompt) throws Exception {
        String body = JSON.createObjectNode()
                .put("prompt", prompt)
                .put("max_tokens", 4)
                .toString();
        HttpResponse<String> r = http.send(
                HttpRequest.newBuilder(URI.create(to.url() + "/v1/completions"))
                        .header("Content-Type", "application/json")
                        .header("X-Fledge-Audience", "closed")
                        .POST(HttpRequest.BodyPublishers.ofString(body))
                        .build(),
                HttpResponse.BodyHandlers.ofString());
        assertThat(r.statusCode()).as(r.body()).isEqualTo(200);
    }

    /**
     * Llama Guard's answer format, keyed on the first user turn: {@code [harm]} unsafe S11, {@code [down]} HTTP 503 (a
     * classifier that is down), anything else safe.
     */
    static void answer(HttpExchange exchange) throws IOException {
        JsonNode request = JSON.readTree(exchange.getRequestBody().readAllBytes());
        String first = request.path("messages").path(0).path("content").asText("");
        boolean down = first.contains("[down]");
        String content = first.contains("[harm]") ? "unsafe\\nS11" : "safe";
        byte[] bytes = (down
                        ? "{\"error\": {\"message\": \"unavailable\"}}"
                        : "{\"choices\": [{\"index\": 0, \"message\": {\"role\": \"assistant\", \"content\": \""
                                + content + "\"}}]}")
                .getBytes(StandardCharsets.UTF_8);
        exchange.getResponseHeaders().add("Content-Type", "application/json");
        exchange.sendResponseHeaders(down ? 503 : 200, bytes.length);
        try (OutputStream out = exchange.getResponseBody()) {
            out.write(bytes);
        }
    }
}
