package dev.fledge.server.proxy;

import dev.fledge.server.config.FledgeConfig;
import jakarta.enterprise.context.ApplicationScoped;
import java.io.IOException;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.time.Duration;

/**
 * Proxy mode's readiness: the upstream answers {@code GET fledge.upstream.readiness-path} with 200 within two
 * seconds. A blocking client on purpose: health checks run on a worker thread, never on the event loop.
 */
@ApplicationScoped
public class UpstreamProbe {
    private static final Duration TIMEOUT = Duration.ofSeconds(2);
    private final HttpClient client = HttpClient.newBuilder()
            .connectTimeout(TIMEOUT)
            .version(HttpClient.Version.HTTP_1_1)
            .build();
    private final FledgeConfig.UpstreamConfig config;

    public UpstreamProbe(FledgeConfig config) {
        this.config = config.upstream();
    }

    public boolean proxyMode() {
        return config.url().isPresent();
    }

    /** Null when the upstream is ready, else why not (without the URL's path or query). */
    public String notReadyReason() {
        URI uri = URI.create(config.url().orElseThrow().replaceAll("/+$", "") + config.readinessPath());
        try {
            int status = client.send(
                            HttpRequest.newBuilder(uri).timeout(TIMEOUT).GET().build(),
                            HttpResponse.BodyHandlers.discarding())
                    .statusCode();
            return status == 200 ? null : "upstream answered " + config.readinessPath() + " with " + status;
        } catch (IOException e) {
            return "upstream not reachable";
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            return "interrupted";
        }
    }
}
