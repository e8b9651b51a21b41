package dev.fledge.server.http;

import static org.assertj.core.api.Assertions.assertThat;

import dev.fledge.server.support.FixtureModels;
import dev.fledge.server.support.PackagedServer;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CompletableFuture;
import org.junit.jupiter.api.Test;

/**
 * A pod that is stopped finishes the requests it has (review of issue 17, MED: the operator's termination grace
 * assumes a drain after SIGTERM that nothing configured). The packaged server gets SIGTERM, as the kubelet sends it
 * after the preStop sleep, while a request is in flight on the main port (the track and audience Services) and one on
 * the public port (the replicas router's public Service): both are answered in full, and the server then exits.
 */
class GracefulShutdownIT {
    private static final String PROMPT = "{\"prompt\": \"the garden\", \"max_tokens\": 4}";
    /** Each request takes this long (fledge.fault.latency-ms), so it is surely in flight at SIGTERM. */
    private static final int LATENCY_MS = 4000;

    @Test
    void requestsInFlightAtSigtermAreAnsweredOnBothPortsAndTheServerThenExits() throws Exception {
        inFlightAtSigtermAreAnswered(true, true);
    }

    /**
     * The public port is a listener of its own: a request there alone (none on the main port, whose requests are the
     * ones Quarkus waits for) is answered too.
     */
    @Test
    void aRequestInFlightOnThePublicPortAloneIsAnswered() throws Exception {
        inFlightAtSigtermAreAnswered(false, true);
    }

    private void inFlightAtSigtermAreAnswered(boolean onMain, boolean onPublicPort) throws Exception {
        int publicPort = PackagedServer.freePort();
        PackagedServer server = PackagedServer.start(
                "graceful-shutdown",
                Map.of(
                        "FLEDGE_MODEL_URI",
                        FixtureModels.uri("v1"),
                        "FLEDGE_FAULT_LATENCY_MS",
                        Integer.toString(LATENCY_MS),
                        "FLEDGE_PUBLIC_PORT",
                        Integer.toString(publicPort)));
        try {
            server.awaitOk("/q/health/ready", Duration.ofMinutes(3));
            HttpClient client =
                    HttpClient.newBuilder().version(HttpClient.Version.HTTP_1_1).build();
            var inFlight = new java.util.ArrayList<CompletableFuture<HttpResponse<String>>>();
            if (onMain) {
                inFlight.add(post(client, server.base()));
            }
            if (onPublicPort) {
                inFlight.add(post(client, URI.create("http://127.0.0.1:" + publicPort)));
            }
            // answered before SIGTERM, by Quarkus REST (which sets the response's end and close handlers): no longer
            // in flight, so it must not hold the drain
            for (URI base : List.of(server.base(), URI.create("http://127.0.0.1:" + publicPort))) {
                assertThat(client.send(
                                        HttpRequest.newBuilder(base.resolve("/v1/models"))
                                                .build(),
                                        HttpResponse.BodyHandlers.ofString())
                                .statusCode())
                        .isEqualTo(200);
            }
            Thread.sleep(LATENCY_MS / 4);
            assertThat(inFlight).as("still in flight at SIGTERM").noneMatch(CompletableFuture::isDone);

            long sigterm = System.nanoTime();
            server.terminate();

            for (var response : inFlight) {
                HttpResponse<String> r = response.get();
                assertThat(r.statusCode()).as(r.uri() + ": " + r.body()).isEqualTo(200);
                assertThat(r.body()).contains("\"choices\"");
            }
            server.exitWithin(Duration.ofSeconds(30));
            assertThat(Duration.ofNanos(System.nanoTime() - sigterm))
                    .as("the server stops once its requests are done, not at the end of the 25 s drain")
                    .isLessThan(Duration.ofSeconds(LATENCY_MS / 1000 + 8));
        } finally {
            server.close();
        }
    }

    private static CompletableFuture<HttpResponse<String>> post(HttpClient client, URI base) {
        return client.sendAsync(
                HttpRequest.newBuilder(base.resolve("/v1/completions"))
                        .header("Content-Type", "application/json")
                        .timeout(Duration.ofSeconds(60))
                        .POST(HttpRequest.BodyPublishers.ofString(PROMPT))
                        .build(),
                HttpResponse.BodyHandlers.ofString());
    }
}
