package dev.fledge.operator.notify;

import java.net.URI;
import java.time.Duration;
import java.util.concurrent.CompletableFuture;

/** Posts a JSON body without blocking the caller; the future holds the HTTP status or fails (timeout, refused). */
public interface WebhookClient {
    CompletableFuture<Integer> post(URI url, String json, Duration timeout);
}
