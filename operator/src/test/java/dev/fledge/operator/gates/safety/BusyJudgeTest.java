package dev.fledge.operator.gates.safety;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import com.sun.net.httpserver.HttpExchange;
import com.sun.net.httpserver.HttpServer;
import dev.fledge.operator.http.BoundedHttp;
import java.io.IOException;
import java.io.OutputStream;
import java.net.InetSocketAddress;
import java.net.http.HttpClient;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.concurrent.Executors;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.stream.Collectors;
import java.util.stream.IntStream;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

/**
 * Issue 15 finding 4 (review): a judge that several tenants share answers 429 or 503 while another tenant's suite
 * keeps it busy. A busy answer is asked again (after its Retry-After, within the judge's timeout) rather than turning
 * the whole suite run Inconclusive.
 */
class BusyJudgeTest {
    HttpServer server;
    final HttpClient http = BoundedHttp.newClient(Duration.ofSeconds(2));
    /** Busy answers still to give, and their Retry-After header (null: none). */
    final AtomicInteger busyLeft = new AtomicInteger();

    volatile int busyStatus = 429;
    volatile String retryAfter = "0";
    final AtomicInteger calls = new AtomicInteger();

    @BeforeEach
    void start() throws IOException {
        server = HttpServer.create(new InetSocketAddress("127.0.0.1", 0), 0);
        server.setExecutor(Executors.newCachedThreadPool());
        server.createContext("/v1/moderations", ex -> {
            calls.incrementAndGet();
            ex.getRequestBody().readAllBytes();
            if (busyLeft.getAndDecrement() > 0) {
                if (retryAfter != null) {
                    ex.getResponseHeaders().add("Retry-After", retryAfter);
                }
                ex.sendResponseHeaders(busyStatus, -1);
                ex.close();
                return;
            }
            answer(ex, "{\"results\":[{\"flagged\":false,\"categories\":{}}]}");
        });
        server.createContext("/v1/completions", ex -> answer(ex, "{\"choices\":[{\"text\":\"a calm answer\"}]}"));
        server.start();
    }

    @AfterEach
    void stop() {
        server.stop(0);
    }

    static void answer(HttpExchange ex, String json) throws IOException {
        ex.getRequestBody().readAllBytes();
        byte[] body = json.getBytes(StandardCharsets.UTF_8);
        ex.sendResponseHeaders(200, body.length);
        try (OutputStream os = ex.getResponseBody()) {
            os.write(body);
        }
    }

    String base() {
        return "http://127.0.0.1:" + server.getAddress().getPort();
    }

    Judge judge(Duration timeout) {
        return new ModerationJudge(http, base() + "/v1/moderations", timeout, BoundedHttp.DEFAULT_MAX_BYTES);
    }

    @Test
    void aSuiteRunWhileTheSharedJudgeIsBusyForAMomentIsJudgedInFull() {
        busyLeft.set(6); // 429, Retry-After: 0, to the first six judgements
        PromptSuite suite = PromptSuite.parse(
                "red-team",
                IntStream.range(0, 20)
                        .mapToObj(i -> "  - {id: q" + i + ", category: general, prompt: \"prompt " + i + "\"}")
                        .collect(Collectors.joining("\n", "prompts:\n", "\n")));
        SuiteRun run = new SuiteRunner(4, Duration.ofSeconds(5))
                .run(
                        suite,
                        new HttpCanaryModel(http, base(), Duration.ofSeconds(2), 16, BoundedHttp.DEFAULT_MAX_BYTES),
                        judge(Duration.ofSeconds(3)));
        assertThat(run.errors()).as("prompts not judged: %s", run.firstErrors()).isZero();
        assertThat(run.evidence().samples()).isEqualTo(20L);
    }

    @Test
    void a503WithoutRetryAfterIsAskedAgainAfterABackoff() {
        busyStatus = 503;
        retryAfter = null;
        busyLeft.set(2);
        assertThat(judge(Duration.ofSeconds(3)).judge("text").flagged()).isFalse();
        assertThat(calls.get()).isEqualTo(3);
    }

    /** A Retry-After longer than the judge's timeout is not waited for: the call fails at once, as before. */
    @Test
    void aRetryAfterBeyondTheTimeoutFailsTheCallWithoutWaiting() {
        busyLeft.set(100);
        retryAfter = "120";
        long t0 = System.nanoTime();
        assertThatThrownBy(() -> judge(Duration.ofSeconds(2)).judge("text"))
                .isInstanceOf(ServiceCallFailed.class)
                .hasMessageContaining("HTTP 429");
        assertThat(Duration.ofNanos(System.nanoTime() - t0)).isLessThan(Duration.ofSeconds(2));
        assertThat(calls.get()).isEqualTo(1);
    }

    /** A server busy for longer than the timeout: retried within it, then the call fails; never past the timeout. */
    @Test
    void aServerBusyForLongerThanTheTimeoutFailsWithinIt() {
        busyLeft.set(1000);
        retryAfter = null;
        long t0 = System.nanoTime();
        assertThatThrownBy(() -> judge(Duration.ofMillis(1500)).judge("text"))
                .isInstanceOf(ServiceCallFailed.class)
                .hasMessageContaining("HTTP 429");
        assertThat(Duration.ofNanos(System.nanoTime() - t0)).isLessThan(Duration.ofMillis(2500));
        assertThat(calls.get()).isGreaterThan(1);
    }

    /** A hostile or broken server that answers 429 with Retry-After: 0 for ever is not asked again at once for ever. */
    @Test
    void aServerThatSaysRetryAfterZeroForEverIsAskedAFewTimesWithGrowingWaits() {
        busyLeft.set(100_000);
        retryAfter = "0";
        assertThatThrownBy(() -> judge(Duration.ofSeconds(10)).judge("text"))
                .isInstanceOf(ServiceCallFailed.class)
                .hasMessageContaining("HTTP 429");
        assertThat(calls.get()).isEqualTo(JsonHttp.MAX_ATTEMPTS);
    }

    /** A Retry-After date centuries away is a busy answer like any other, not an arithmetic overflow. */
    @Test
    void aRetryAfterDateCenturiesAwayFailsTheCallAsBusy() {
        busyLeft.set(100);
        retryAfter = "Fri, 31 Dec 9999 23:59:59 GMT";
        assertThatThrownBy(() -> judge(Duration.ofSeconds(2)).judge("text"))
                .isInstanceOf(ServiceCallFailed.class)
                .hasMessageContaining("HTTP 429");
        assertThat(calls.get()).isEqualTo(1);
    }
}
