package dev.fledge.server.api.openai;

import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.databind.ObjectMapper;
import dev.fledge.server.api.Failure;
import dev.fledge.server.api.ModelVersionHeader;
import dev.fledge.server.metrics.Audience;
import io.vertx.core.Context;
import io.vertx.core.MultiMap;
import io.vertx.core.Vertx;
import io.vertx.core.buffer.Buffer;
import io.vertx.core.http.HttpServerResponse;
import java.nio.charset.StandardCharsets;
import org.jboss.logging.Logger;

/**
 * One request to an OpenAI endpoint and its answer: a JSON body, or server-sent events. It may be answered from any
 * thread (a DJL inference thread streams tokens); every write is run on the request's own event-loop context, in
 * order. Writes after the client went away are dropped. Errors are JSON; once a stream has started, an error is a
 * last {@code data: {"error": ...}} event.
 */
public final class Exchange {
    private static final Logger LOG = Logger.getLogger(Exchange.class);
    private static final Buffer DONE = Buffer.buffer("data: [DONE]\n\n");

    private final HttpServerResponse response;
    private final MultiMap requestHeaders;
    private final Buffer body;
    private final Audience audience;
    private final String version;
    private final ObjectMapper mapper;
    private final Context context;
    private boolean streaming;

    public Exchange(
            HttpServerResponse response, MultiMap requestHeaders, Buffer body, String version, ObjectMapper mapper) {
        this.response = response;
        this.requestHeaders = requestHeaders;
        this.body = body;
        this.audience = Audience.fromHeader(requestHeaders.get(Audience.HEADER));
        this.version = version;
        this.mapper = mapper;
        this.context = Vertx.currentContext();
    }

    public Buffer body() {
        return body;
    }

    public String bodyText() {
        return body.toString(StandardCharsets.UTF_8);
    }

    public MultiMap requestHeaders() {
        return requestHeaders;
    }

    public Audience audience() {
        return audience;
    }

    /** Answers with a JSON body. */
    public void json(int status, Object value) {
        Buffer encoded = encode(value);
        onContext(() -> send(status, "application/json", encoded, null));
    }

    /** Answers with a body as it is, plus the given headers (an upstream's, in proxy mode). */
    public void raw(int status, String contentType, Buffer content, MultiMap headers) {
        onContext(() -> send(status, contentType, content, headers));
    }

    /** Answers with the JSON error this failure deserves, or ends a started stream with an error event. */
    public void fail(Throwable thrown) {
        Failure failure = Failure.of(thrown);
        if (failure.unexpected()) {
            LOG.error("unexpected failure", thrown);
        }
        Buffer encoded = encode(failure.body());
        onContext(() -> {
            if (!streaming) {
                send(failure.status(), "application/json", encoded, null);
            } else if (open()) {
                response.write(Buffer.buffer("data: ").appendBuffer(encoded).appendString("\n\n"));
                response.end();
            }
        });
    }

    /** Sends one server-sent event {@code data: <json>}, starting the stream (status 200) with the first one. */
    public void event(Object value) {
        Buffer encoded = encode(value);
        onContext(() -> {
            if (startStream(null)) {
                response.write(Buffer.buffer(encoded.length() + 8)
                        .appendString("data: ")
                        .appendBuffer(encoded)
                        .appendString("\n\n"));
            }
        });
    }

    /** Ends a stream with {@code data: [DONE]}. */
    public void done() {
        onContext(() -> {
            if (startStream(null)) {
                response.end(DONE);
            }
        });
    }

    /** Starts a stream (status 200, {@code text/event-stream}) with extra headers; false when the client is gone. */
    public boolean startStream(MultiMap headers) {
        if (!streaming && open()) {
            streaming = true;
            if (headers != null) {
                response.headers().addAll(headers);
            }
            response.setStatusCode(200)
                    .setChunked(true)
                    .putHeader("Content-Type", "text/event-stream; charset=utf-8")
                    .putHeader("Cache-Control", "no-cache")
                    .putHeader(ModelVersionHeader.NAME, version);
        }
        return open();
    }

    /** For relaying on the event loop: the response itself (write, backpressure, end). */
    public HttpServerResponse response() {
        return response;
    }

    public boolean open() {
        return !response.ended() && !response.closed();
    }

    private void send(int status, String contentType, Buffer content, MultiMap headers) {
        if (!open()) {
            return;
        }
        if (headers != null) {
            response.headers().addAll(headers);
        }
        response.setStatusCode(status)
                .putHeader("Content-Type", contentType)
                .putHeader(ModelVersionHeader.NAME, version)
                .end(content);
    }

    private Buffer encode(Object value) {
        try {
            return Buffer.buffer(mapper.writeValueAsBytes(value));
        } catch (JsonProcessingException e) {
            throw new IllegalStateException("cannot encode a response", e);
        }
    }

    private void onContext(Runnable action) {
        if (Vertx.currentContext() == context) {
            action.run();
        } else {
            context.runOnContext(ignored -> action.run());
        }
    }
}
