package dev.fledge.server.guard;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ObjectNode;
import dev.fledge.server.config.FledgeConfig;
import io.vertx.core.Future;
import io.vertx.core.Promise;
import io.vertx.core.Vertx;
import io.vertx.core.buffer.Buffer;
import io.vertx.core.http.HttpClient;
import io.vertx.core.http.HttpClientOptions;
import io.vertx.core.http.HttpClientRequest;
import io.vertx.core.http.HttpClientResponse;
import io.vertx.core.http.HttpClosedException;
import io.vertx.core.http.HttpMethod;
import io.vertx.core.http.PoolOptions;
import io.vertx.core.http.RequestOptions;
import jakarta.enterprise.context.ApplicationScoped;
import java.io.IOException;
import java.net.URI;
import java.util.List;
import java.util.Optional;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CompletionStage;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.concurrent.atomic.AtomicReference;
import java.util.function.Supplier;
import org.jboss.logging.Logger;

/**
 * The classifier of live outputs ({@code fledge.guard.judge.*}): each output, with the conversation it answers, is
 * sent to a Llama Guard-style chat model on an OpenAI-compatible {@code /v1/chat/completions}, off the request's path
 * (the user has the answer already; the verdict only feeds the metrics). The answer is read by
 * {@link ClassifierCategories}. A timeout, an HTTP error, an answer in another format, or more than
 * {@code max-in-flight} judgements under way give no verdict: the output counts as not judged, never as safe. A
 * request whose connection closed before any answer is tried once more.
 */
@ApplicationScoped
public class LiveClassifier {
    private static final Logger LOG = Logger.getLogger(LiveClassifier.class);
    /** Enough for {@code unsafe} and every code; a larger answer is not one. */
    static final int MAX_TOKENS = 64;

    static final long MAX_ANSWER_BYTES = 64 * 1024;
    /** Each turn sent is cut to its last this many characters (Llama Guard 3 reads 8k tokens in all). */
    static final int MAX_TURN_CHARS = 8 * 1024;

    private final Optional<Client> client;

    public LiveClassifier(Vertx vertx, FledgeConfig config, ObjectMapper mapper) {
        var judge = config.guard().judge();
        this.client = judge.url().map(url -> new Client(vertx, judge, mapper, url));
    }

    /** Whether a classifier is configured; without one the word list judges live outputs. */
    public boolean enabled() {
        return client.isPresent();
    }

    /** The names its mapping reports, for series at 0 from the start. */
    public List<String> categories() {
        return client.map(c -> c.categories.names()).orElse(List.of());
    }

    /**
     * The verdict on {@code output} as the answer to {@code conversation}; empty when not judged. The conversation is
     * read only when a judgement slot is free, so a flood of outputs costs no request parsing beyond the slots.
     */
    public CompletionStage<Optional<Verdict>> judge(Supplier<List<Turn>> conversation, String output) {
        return client.map(c -> c.judge(conversation, output))
                .orElseGet(() -> CompletableFuture.completedFuture(Optional.empty()));
    }

    private static final class Client {
        private final Vertx vertx;
        private final HttpClient http;
        private final URI url;
        private final String model;
        private final long timeoutMs;
        private final int maxInFlight;
        private final ClassifierCategories categories;
        private final ObjectMapper mapper;
        private final AtomicInteger inFlight = new AtomicInteger();

        Client(Vertx vertx, FledgeConfig.LiveJudgeConfig config, ObjectMapper mapper, String url) {
            this.vertx = vertx;
            this.url = URI.create(url);
            if (!("http".equals(this.url.getScheme()) || "https".equals(this.url.getScheme()))
                    || this.url.getHost() == null) {
                throw new IllegalArgumentException("fledge.guard.judge.url must be an http(s) URL, not '" + url + "'");
            }
            boolean tls = "https".equals(this.url.getScheme());
            this.model = config.model().orElse(null);
            this.timeoutMs = Math.max(1, config.timeout().toMillis());
            this.maxInFlight = config.maxInFlight();
            this.categories = ClassifierCategories.parse(config.categories());
            this.mapper = mapper;
            this.http = vertx.createHttpClient(
                    new HttpClientOptions()
                            .setDefaultHost(this.url.getHost())
                            .setDefaultPort(this.url.getPort() > 0 ? this.url.getPort() : tls ? 443 : 80)
                            .setSsl(tls)
                            .setKeepAlive(true)
                            // below uvicorn's 5 s (vLLM's server): a connection is dropped here before there
                            .setKeepAliveTimeout(4)
                            .setConnectTimeout((int) Math.min(timeoutMs, Integer.MAX_VALUE)),
                    new PoolOptions()
                            .setHttp1MaxSize(Math.max(1, maxInFlight))
                            .setMaxWaitQueueSize(Math.max(1, maxInFlight)));
        }

        CompletionStage<Optional<Verdict>> judge(Supplier<List<Turn>> conversation, String output) {
            if (inFlight.incrementAndGet() > maxInFlight) {
                inFlight.decrementAndGet();
                return CompletableFuture.completedFuture(Optional.empty());
            }
            try {
                return send(Buffer.buffer(mapper.writeValueAsBytes(request(conversation.get(), output))));
            } catch (IOException | RuntimeException e) {
                inFlight.decrementAndGet();
                LOG.debugf("live output not judged: %s", e.toString());
                return CompletableFuture.completedFuture(Optional.empty());
            }
        }

        /** Sends one judgement; its slot is released when the verdict (or none) is known. */
        private CompletionStage<Optional<Verdict>> send(Buffer body) {
            Promise<Optional<Verdict>> verdict = Promise.promise();
            AtomicReference<HttpClientRequest> sent = new AtomicReference<>();
            long timer = vertx.setTimer(timeoutMs, t -> {
                if (verdict.tryComplete(Optional.empty()) && sent.get() != null) {
                    sent.get().reset();
                }
            });
            attempt(body, verdict, sent, true);
            return verdict.future()
                    .onComplete(done -> {
                        vertx.cancelTimer(timer);
                        inFlight.decrementAndGet();
                    })
                    .toCompletionStage();
        }

        /**
         * One try at a judgement. A try whose connection closed or failed before any answer came (a kept-alive
         * connection the classifier closed as idle just as the request went out: uvicorn, which vLLM runs, closes them
         * after 5 s) is made once more, within the same timeout; the pool has dropped the closed connection by then.
         * A judge that closes the connection on reading a conversation is therefore sent it twice, never more.
         */
        private void attempt(
                Buffer body,
                Promise<Optional<Verdict>> verdict,
                AtomicReference<HttpClientRequest> sent,
                boolean retry) {
            AtomicBoolean answered = new AtomicBoolean();
            RequestOptions options = new RequestOptions()
                    .setMethod(HttpMethod.POST)
                    .setURI(url.getRawPath() + (url.getRawQuery() == null ? "" : "?" + url.getRawQuery()))
                    .setIdleTimeout(timeoutMs)
                    .putHeader("content-type", "application/json");
            http.request(options)
                    .compose(r -> {
                        sent.set(r);
                        if (verdict.future().isComplete()) {
                            r.reset();
                            return Future.failedFuture("timed out before it was sent");
                        }
                        // the answer's handlers are set in the same step as the response arrives: a compose
                        // chained after this one may run after the whole answer was read and dropped (Vert.x
                        // delivers it on the request's context, here not the connection's event loop)
                        return r.send(body).compose(response -> {
                            answered.set(true);
                            return answer(response);
                        });
                    })
                    .onComplete(ar -> {
                        if (ar.failed()
                                && retry
                                && !answered.get()
                                && closed(ar.cause())
                                && !verdict.future().isComplete()) {
                            LOG.debugf("classifier request failed before an answer, trying again: %s", ar.cause());
                            attempt(body, verdict, sent, false);
                            return;
                        }
                        if (ar.failed()) {
                            LOG.debugf("live output not judged: %s", ar.cause().toString());
                        }
                        verdict.tryComplete(ar.succeeded() ? ar.result() : Optional.empty());
                    });
        }

        /** A connection that closed or failed under the request, not a refusal of this client's own (a full pool). */
        private static boolean closed(Throwable failure) {
            return failure instanceof HttpClosedException || failure instanceof IOException;
        }

        private ObjectNode request(List<Turn> conversation, String output) {
            ObjectNode request = mapper.createObjectNode();
            if (model != null) {
                request.put("model", model);
            }
            var messages = request.putArray("messages");
            Turn.withOutput(conversation, output)
                    .forEach(t -> messages.addObject().put("role", t.role()).put("content", cut(t.content())));
            request.put("max_tokens", MAX_TOKENS);
            request.put("temperature", 0);
            return request;
        }

        /** A turn's text up to {@link #MAX_TURN_CHARS}: its last part, which is nearest the output judged. */
        private static String cut(String text) {
            return text.length() <= MAX_TURN_CHARS ? text : text.substring(text.length() - MAX_TURN_CHARS);
        }

        private Future<Optional<Verdict>> answer(HttpClientResponse response) {
            Promise<Optional<Verdict>> read = Promise.promise();
            Buffer buffer = Buffer.buffer();
            response.handler(chunk -> {
                if (buffer.length() + (long) chunk.length() > MAX_ANSWER_BYTES) {
                    if (read.tryComplete(Optional.empty())) {
                        response.request().reset();
                    }
                } else {
                    buffer.appendBuffer(chunk);
                }
            });
            response.exceptionHandler(read::tryFail);
            response.endHandler(
                    end -> read.tryComplete(response.statusCode() == 200 ? verdict(buffer) : Optional.empty()));
            return read.future();
        }

        private Optional<Verdict> verdict(Buffer body) {
            try {
                JsonNode content = mapper.readTree(body.getBytes())
                        .path("choices")
                        .path(0)
                        .path("message")
                        .path("content");
                return content.isTextual() ? categories.read(content.asText()) : Optional.empty();
            } catch (IOException e) {
                return Optional.empty();
            }
        }
    }
}
