package dev.fledge.server.proxy;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import dev.fledge.server.api.ApiException;
import io.netty.channel.ConnectTimeoutException;
import io.vertx.core.buffer.Buffer;
import io.vertx.core.http.HttpClosedException;
import java.io.IOException;
import java.net.ConnectException;
import java.util.concurrent.CompletionException;
import java.util.concurrent.TimeoutException;

/**
 * Turns what went wrong with the upstream into the client's JSON error: 502 when it is down, closed the connection
 * or answered garbage, 504 when it was too slow, its own status for 4xx, 429 and 503. Only the upstream's
 * {@code error.message} is passed on (never a raw body, a class name or a stack trace).
 */
final class UpstreamFailure {
    static final String TYPE = "upstream_error";
    private static final int MAX_MESSAGE = 300;
    private static final ObjectMapper MAPPER = new ObjectMapper();

    private UpstreamFailure() {}

    static ApiException of(Throwable thrown, String address, long timeoutMs) {
        Throwable e = thrown instanceof CompletionException && thrown.getCause() != null ? thrown.getCause() : thrown;
        if (e instanceof ApiException api) {
            return api;
        }
        if (e instanceof ConnectTimeoutException) {
            return new ApiException(
                    504, TYPE, "the upstream model server at " + address + " did not accept a" + " connection in time");
        }
        if (e instanceof TimeoutException) {
            return new ApiException(
                    504,
                    TYPE,
                    "the upstream model server at " + address + " sent nothing for " + timeoutMs
                            + " ms (fledge.upstream.timeout)");
        }
        if (e instanceof ConnectException) {
            return new ApiException(
                    502, TYPE, "the upstream model server at " + address + " is not reachable (connection refused)");
        }
        if (e instanceof HttpClosedException || e instanceof IOException) {
            return new ApiException(
                    502,
                    TYPE,
                    "the upstream model server at " + address
                            + " closed the connection before its answer was complete");
        }
        return new ApiException(502, TYPE, "the request to the upstream model server at " + address + " failed");
    }

    /** The upstream answered with a status other than 200. */
    static ApiException status(int status, Buffer body) {
        String message = messageOf(body);
        if (status == 429) {
            return new ApiException(
                    429,
                    "rate_limit_error",
                    "the upstream model server is overloaded" + (message == null ? "" : ": " + message)
                            + "; retry later");
        }
        if (status >= 400 && status < 500) {
            return new ApiException(
                    status,
                    "invalid_request_error",
                    message != null ? message : "the upstream model server refused the request (" + status + ")");
        }
        if (status == 503) {
            return new ApiException(
                    503, TYPE, "the upstream model server is unavailable" + (message == null ? "" : ": " + message));
        }
        return new ApiException(
                502, TYPE, "the upstream model server answered " + status + (message == null ? "" : ": " + message));
    }

    static ApiException garbage(String what) {
        return new ApiException(502, TYPE, "the upstream model server answered " + what);
    }

    /** {@code error.message} (OpenAI, vLLM), {@code message} or {@code error} (TGI) of a JSON error body. */
    private static String messageOf(Buffer body) {
        try {
            JsonNode node = MAPPER.readTree(body.getBytes());
            JsonNode message = node.path("error").path("message");
            for (JsonNode candidate :
                    new JsonNode[] {message, node.path("message"), node.path("error"), node.path("detail")}) {
                if (candidate.isTextual() && !candidate.asText().isBlank()) {
                    String text = candidate.asText();
                    return text.length() > MAX_MESSAGE ? text.substring(0, MAX_MESSAGE) + "..." : text;
                }
            }
            return null;
        } catch (IOException | RuntimeException notJson) {
            return null;
        }
    }
}
