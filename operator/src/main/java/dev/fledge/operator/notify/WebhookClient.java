package dev.fledge.operator.notify;

import java.net.URI;
import java.time.Duration;
import java.util.Map;
import java.util.concurrent.CompletableFuture;

/** Posts a JSON body without blocking the caller; the future holds the HTTP status or fails (timeout, refused). */
public interface WebhookClient {
    CompletableFuture<Integer> post(URI url, String json, Map<String, String> headers, Duration timeout);

    default CompletableFuture<Integer> post(URI url, String json, Duration timeout) {
        return post(url, json, Map.of(), timeout);
    }
}
