package dev.fledge.server.http;

import static dev.fledge.server.support.Api.complete;
import static dev.fledge.server.support.Api.metrics;
import static org.assertj.core.api.Assertions.assertThat;
import static org.hamcrest.Matchers.containsString;

import dev.fledge.server.support.MetricsText;
import dev.fledge.server.support.Profiles;
import io.quarkus.test.common.http.TestHTTPResource;
import io.quarkus.test.junit.QuarkusTest;
import io.quarkus.test.junit.TestProfile;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.CompletableFuture;
import org.junit.jupiter.api.Test;

/** One worker, a queue of one, 400 ms injected latency and every request failing on purpose. */
@QuarkusTest
@TestProfile(Profiles.Faulty.class)
class FaultKnobsTest {

    @TestHTTPResource("/v1/completions")
    URI completions;

    @Test
    void injectedErrorsAre503JsonAndCountedAsErrorsAfterTheInjectedLatency() {
        MetricsText before = metrics();
        long start = System.nanoTime();
        complete("{\"prompt\": \"the garden\", \"max_tokens\": 4}", null)
                .then()
                .statusCode(503)
                .body("error.message", containsString("injected fault"));
        assertThat((System.nanoTime() - start) / 1_000_000).isGreaterThanOrEqualTo(Profiles.Faulty.LATENCY_MS);
        String[] error = {"release", "assistant", "version", "1.0.0", "audience", "public", "outcome", "error"};
        assertThat(metrics().value("fledge_model_requests_total", error)
                        - before.value("fledge_model_requests_total", error))
                .isEqualTo(1);
    }

    @Test
    void requestsBeyondWorkersAndQueueGet429AtOnce() {
        HttpClient client =
                HttpClient.newBuilder().connectTimeout(Duration.ofSeconds(5)).build();
        HttpRequest request = HttpRequest.newBuilder(completions)
                .timeout(Duration.ofSeconds(20))
                .header("Content-Type", "application/json")
                .POST(HttpRequest.BodyPublishers.ofString("{\"prompt\": \"the\", \"max_tokens\": 2}"))
                .build();
        List<CompletableFuture<HttpResponse<String>>> calls = new ArrayList<>();
        for (int i = 0; i < 6; i++) {
            calls.add(client.sendAsync(request, HttpResponse.BodyHandlers.ofString()));
        }
        List<HttpResponse<String>> responses =
                calls.stream().map(CompletableFuture::join).toList();
        assertThat(responses)
                .extracting(HttpResponse::statusCode)
                .containsOnly(429, 503)
                .contains(429, 503);
        assertThat(responses)
                .filteredOn(r -> r.statusCode() == 429)
                .allSatisfy(r -> assertThat(r.body()).contains("too many concurrent requests"));
        String[] rejected = {"release", "assistant", "version", "1.0.0", "audience", "public", "outcome", "rejected"};
        assertThat(metrics().value("fledge_model_requests_total", rejected)).isGreaterThanOrEqualTo(1);
    }
}
