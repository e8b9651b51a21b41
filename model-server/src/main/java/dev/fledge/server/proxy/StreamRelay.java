package dev.fledge.server.proxy;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import dev.fledge.server.api.MeteredRequests;
import dev.fledge.server.api.openai.Endpoint;
import dev.fledge.server.api.openai.Exchange;
import dev.fledge.server.api.openai.OutputJudge;
import dev.fledge.server.feedback.IssuedResponses;
import dev.fledge.server.metrics.Outcome;
import io.vertx.core.buffer.Buffer;
import io.vertx.core.http.HttpClientResponse;
import io.vertx.core.http.HttpServerResponse;
import java.io.IOException;
import java.util.Map;
import java.util.TreeMap;
import java.util.concurrent.CompletableFuture;

/**
 * Relays one upstream stream of server-sent events to the client as it comes, byte for byte, and reads it on the
 * way: the response id, each choice's text pieces, the usage of the last chunk. When the stream ends, each
 * choice's assembled text is judged and counted. A flagged streamed output has been sent already: it is counted
 * flagged, not replaced. If the upstream breaks off, the client gets a last error event and the request counts as
 * an error; if the client goes away, the upstream request is cancelled and what was sent is judged.
 */
final class StreamRelay {
    private static final ObjectMapper MAPPER = new ObjectMapper();

    private final Endpoint endpoint;
    private final Exchange exchange;
    private final OutputJudge judge;
    private final IssuedResponses ids;
    private final HttpClientResponse upstream;
    private final CompletableFuture<MeteredRequests.Result<Void>> done = new CompletableFuture<>();
    private final Map<Integer, StringBuilder> texts = new TreeMap<>();
    private final SseData data = new SseData(this::event);
    private String id;
    private long usageTokens = -1;
    private long pieces;

    StreamRelay(
            Endpoint endpoint, Exchange exchange, OutputJudge judge, IssuedResponses ids, HttpClientResponse upstream) {
        this.endpoint = endpoint;
        this.exchange = exchange;
        this.judge = judge;
        this.ids = ids;
        this.upstream = upstream;
    }

    /** Starts relaying; the future completes when the stream is over. Runs on the event loop. */
    CompletableFuture<MeteredRequests.Result<Void>> start() {
        HttpServerResponse client = exchange.response();
        if (!exchange.startStream(Upstream.forwardable(upstream.headers()))) {
            upstream.request().reset();
            done.complete(new MeteredRequests.Result<>(null, Outcome.SUCCESS));
            return done;
        }
        client.closeHandler(closed -> {
            if (!done.isDone()) {
                upstream.request().reset();
                finish();
            }
        });
        upstream.handler(this::chunk);
        upstream.exceptionHandler(failure -> done.completeExceptionally(failure));
        upstream.endHandler(ended -> {
            if (exchange.open()) {
                client.end();
            }
            finish();
        });
        return done;
    }

    private void chunk(Buffer chunk) {
        HttpServerResponse client = exchange.response();
        if (!exchange.open()) {
            return;
        }
        client.write(chunk);
        data.feed(chunk);
        if (client.writeQueueFull()) {
            upstream.pause();
            client.drainHandler(drained -> upstream.resume());
        }
    }

    private void event(String payload) {
        if (payload.equals("[DONE]") || payload.isBlank()) {
            return;
        }
        JsonNode chunk;
        try {
            chunk = MAPPER.readTree(payload);
        } catch (IOException notJson) {
            return;
        }
        if (id == null && chunk.path("id").isTextual()) {
            id = chunk.path("id").asText();
        }
        if (chunk.path("usage").path("completion_tokens").canConvertToLong()) {
            usageTokens = chunk.path("usage").path("completion_tokens").asLong();
        }
        for (JsonNode choice : chunk.path("choices")) {
            String piece = endpoint.delta(choice);
            if (!piece.isEmpty()) {
                pieces++;
                texts.computeIfAbsent(choice.path("index").asInt(0), i -> new StringBuilder())
                        .append(piece);
            }
        }
    }

    /** Judges what was streamed, once. Tokens: the upstream's usage if it sent one, else one per text piece. */
    private void finish() {
        if (done.isDone()) {
            return;
        }
        long tokens = usageTokens >= 0 ? usageTokens : pieces;
        if (texts.isEmpty()) {
            texts.put(0, new StringBuilder());
        }
        boolean first = true;
        for (StringBuilder text : texts.values()) {
            judge.judge(endpoint, exchange, text.toString(), first ? tokens : 0);
            first = false;
        }
        if (id != null) {
            ids.remember(id, exchange.audience());
        }
        done.complete(new MeteredRequests.Result<>(null, Outcome.SUCCESS));
    }
}
