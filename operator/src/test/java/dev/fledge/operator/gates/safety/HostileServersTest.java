package dev.fledge.operator.gates.safety;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import com.sun.net.httpserver.HttpServer;
import dev.fledge.operator.http.BoundedHttp;
import java.io.IOException;
import java.io.OutputStream;
import java.net.InetSocketAddress;
import java.net.http.HttpClient;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.List;
import java.util.concurrent.Executors;
import java.util.concurrent.atomic.AtomicLong;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

/**
 * Issue 15, finding 4: a tenant's canary or judge that answers 500 MB, or drips its answer one byte a second, must
 * not take the shared operator down or hold its threads: the operator reads at most the cap, gives up at the
 * deadline, and the suite comes out with errors (the gate's Inconclusive), never an OutOfMemoryError.
 */
class HostileServersTest {
    static final long HUGE = 500L * 1024 * 1024;
    static final HttpClient HTTP = BoundedHttp.newClient(Duration.ofSeconds(5));
    HttpServer server;
    final AtomicLong hugeBytesSent = new AtomicLong();

    @BeforeEach
    void start() throws IOException {
        server = HttpServer.create(new InetSocketAddress("127.0.0.1", 0), 0);
        server.setExecutor(Executors.newCachedThreadPool());
        // a 500 MB JSON string, streamed (never held by the server), without a Content-Length
        server.createContext("/huge/v1/completions", ex -> {
            ex.getRequestBody().readAllBytes();
            ex.sendResponseHeaders(200, 0);
            byte[] chunk = "x".repeat(64 * 1024).getBytes(StandardCharsets.UTF_8);
            try (OutputStream os = ex.getResponseBody()) {
                os.write("{\"choices\":[{\"text\":\"".getBytes(StandardCharsets.UTF_8));
                for (long sent = 0; sent < HUGE; sent += chunk.length) {
                    os.write(chunk);
                    hugeBytesSent.addAndGet(chunk.length);
                }
            } catch (IOException e) {
                // the operator hung up: what we want
            }
        });
        // a judge that sends its headers, then one byte a second for ever
        server.createContext("/slow/v1/moderations", ex -> {
            ex.getRequestBody().readAllBytes();
            ex.sendResponseHeaders(200, 0);
            try (OutputStream os = ex.getResponseBody()) {
                for (int i = 0; i < 600; i++) {
                    os.write(' ');
                    os.flush();
                    Thread.sleep(1000);
                }
            } catch (IOException | InterruptedException e) {
                // the operator hung up
            }
        });
        server.start();
    }

    @AfterEach
    void stop() {
        server.stop(0);
    }

    String url(String path) {
        return "http://127.0.0.1:" + server.getAddress().getPort() + path;
    }

    @Test
    void aHugeCanaryAnswerIsCutAtTheCapWithoutReadingIt() {
        long before = usedHeap();
        long started = System.nanoTime();
        HttpCanaryModel canary = new HttpCanaryModel(HTTP, url("/huge"), Duration.ofSeconds(30), 32, 64 * 1024);

        assertThatThrownBy(() -> canary.complete("hi"))
                .isInstanceOf(ServiceCallFailed.class)
                .hasMessageContaining("exceeds the limit of 65536 bytes");

        assertThat(Duration.ofNanos(System.nanoTime() - started)).isLessThan(Duration.ofSeconds(10));
        assertThat(hugeBytesSent.get())
                .as("bytes the server got out before the operator hung up")
                .isLessThan(HUGE / 10);
        assertThat(usedHeap() - before).as("heap growth").isLessThan(64L * 1024 * 1024);
    }

    @Test
    void aJudgeThatDripsItsAnswerIsAbandonedAtTheDeadline() {
        long started = System.nanoTime();
        ModerationJudge judge =
                new ModerationJudge(HTTP, url("/slow/v1/moderations"), Duration.ofSeconds(2), 64 * 1024);

        assertThatThrownBy(() -> judge.judge("some output"))
                .isInstanceOf(ServiceCallFailed.class)
                .hasMessageContaining("did not answer within PT2S");

        assertThat(Duration.ofNanos(System.nanoTime() - started)).isLessThan(Duration.ofSeconds(6));
    }

    @Test
    void aSuiteAgainstHostileServersEndsWithErrorsSoTheGateIsInconclusive() {
        PromptSuite suite = new PromptSuite("s", "h", List.of(new Prompt("p1", "c", "a"), new Prompt("p2", "c", "b")));
        long started = System.nanoTime();

        SuiteRun run = new SuiteRunner(2, Duration.ofSeconds(3))
                .run(
                        suite,
                        new HttpCanaryModel(HTTP, url("/huge"), Duration.ofSeconds(2), 32, 64 * 1024),
                        new ModerationJudge(HTTP, url("/slow/v1/moderations"), Duration.ofSeconds(1), 64 * 1024));

        assertThat(run.errors()).isEqualTo(2);
        assertThat(run.firstErrors())
                .allSatisfy(e -> assertThat(e).contains("exceeds the limit").doesNotContain("xxxx"));
        assertThat(Duration.ofNanos(System.nanoTime() - started)).isLessThan(Duration.ofSeconds(10));
    }

    @Test
    void aReleaseCannotRaiseTheOperatorsCeilings() {
        SafetyLimits limits = new SafetyLimits(Duration.ofSeconds(60), Duration.ofSeconds(30), 8, 500, 65536);
        assertThat(limits.promptTimeout(Duration.ofHours(10))).isEqualTo(Duration.ofSeconds(60));
        assertThat(limits.judgeTimeout(Duration.ofHours(10))).isEqualTo(Duration.ofSeconds(30));
        assertThat(limits.concurrency(10_000)).isEqualTo(8);
        assertThat(limits.promptTimeout(Duration.ofSeconds(5))).isEqualTo(Duration.ofSeconds(5));
    }

    static long usedHeap() {
        Runtime rt = Runtime.getRuntime();
        System.gc();
        return rt.totalMemory() - rt.freeMemory();
    }
}
