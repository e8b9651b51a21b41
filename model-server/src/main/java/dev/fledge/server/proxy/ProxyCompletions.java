package dev.fledge.server.proxy;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ObjectNode;
import dev.fledge.server.api.ApiException;
import dev.fledge.server.api.MeteredRequests;
import dev.fledge.server.api.openai.Completions;
import dev.fledge.server.api.openai.Endpoint;
import dev.fledge.server.api.openai.Exchange;
import dev.fledge.server.api.openai.OutputJudge;
import dev.fledge.server.config.FledgeConfig;
import dev.fledge.server.feedback.IssuedResponses;
import dev.fledge.server.guard.Verdict;
import dev.fledge.server.metrics.Outcome;
import io.vertx.core.Future;
import io.vertx.core.buffer.Buffer;
import io.vertx.core.http.HttpClientResponse;
import io.vertx.core.http.HttpMethod;
import jakarta.enterprise.context.ApplicationScoped;
import jakarta.enterprise.inject.Typed;
import java.io.IOException;
import java.util.Locale;
import java.util.concurrent.CompletionStage;

/**
 * Proxy mode: forwards completion and chat requests to the upstream OpenAI-compatible server as they are, and does
 * Fledge's part on the way back: the guard on each output (replacing it with the refusal in blocking mode, when not
 * streamed), the metrics, and the response id, remembered for {@code /v1/feedback}. The request body must be a
 * JSON object; everything else about it is the upstream's to judge. All of it runs on the event loop.
 */
@ApplicationScoped
@Typed(ProxyCompletions.class)
public class ProxyCompletions implements Completions {
    private final Upstream upstream;
    private final OutputJudge judge;
    private final IssuedResponses ids;
    private final MeteredRequests metered;
    private final ObjectMapper mapper;
    private final long timeoutMs;
    private final long maxResponse;

    public ProxyCompletions(
            Upstream upstream,
            OutputJudge judge,
            IssuedResponses ids,
            MeteredRequests metered,
            ObjectMapper mapper,
            FledgeConfig config) {
        this.upstream = upstream;
        this.judge = judge;
        this.ids = ids;
        this.metered = metered;
        this.mapper = mapper;
        this.timeoutMs = config.upstream().timeout().toMillis();
        this.maxResponse = config.upstream().maxResponseSize().asLongValue();
    }

    @Override
    public void handle(Endpoint endpoint, Exchange exchange) {
        boolean stream = requestObject(exchange).path("stream").asBoolean(false);
        metered.runAsync(exchange.audience(), () -> forward(endpoint, exchange, stream))
                .whenComplete((answered, failure) -> {
                    if (failure != null) {
                        exchange.fail(UpstreamFailure.of(failure, upstream.address(), timeoutMs));
                    }
                });
    }

    private CompletionStage<MeteredRequests.Result<Void>> forward(
            Endpoint endpoint, Exchange exchange, boolean stream) {
        Future<MeteredRequests.Result<Void>> answered = upstream.send(
                        HttpMethod.POST, endpoint.path(), exchange.requestHeaders(), exchange.body())
                .compose(response -> {
                    if (response.statusCode() != 200) {
                        return BoundedBody.read(response, maxResponse)
                                .compose(body ->
                                        Future.failedFuture(UpstreamFailure.status(response.statusCode(), body)));
                    }
                    if (stream && contentType(response).startsWith("text/event-stream")) {
                        return Future.fromCompletionStage(
                                new StreamRelay(endpoint, exchange, judge, ids, response).start());
                    }
                    return BoundedBody.read(response, maxResponse)
                            .map(body -> whole(endpoint, exchange, response, body));
                });
        return answered.toCompletionStage();
    }

    /** A whole answer: judged, counted, its id remembered, and forwarded (rewritten only to block or add an id). */
    private MeteredRequests.Result<Void> whole(
            Endpoint endpoint, Exchange exchange, HttpClientResponse response, Buffer body) {
        ObjectNode answer = answerObject(endpoint, body);
        long tokens = answer.path("usage").path("completion_tokens").asLong(0);
        boolean rewritten = false;
        boolean blocked = false;
        boolean first = true;
        for (JsonNode choice : answer.path("choices")) {
            Verdict verdict = judge.judge(endpoint, exchange, endpoint.text(choice), first ? tokens : 0);
            first = false;
            if (judge.blocks(verdict) && choice instanceof ObjectNode editable) {
                endpoint.refuse(editable, judge.refusal());
                blocked = true;
                rewritten = true;
            }
        }
        // the client gets this release's signed id in place of the upstream's: any replica can verify it
        answer.put("id", ids.issue(endpoint.idPrefix(), exchange.audience()));
        rewritten = true;
        Buffer out = rewritten ? encode(answer) : body;
        exchange.raw(200, "application/json", out, Upstream.forwardable(response.headers()));
        return new MeteredRequests.Result<>(null, blocked ? Outcome.BLOCKED : Outcome.SUCCESS);
    }

    private ObjectNode answerObject(Endpoint endpoint, Buffer body) {
        try {
            JsonNode node = mapper.readTree(body.getBytes());
            if (node instanceof ObjectNode object && object.path("choices").isArray()) {
                return object;
            }
        } catch (IOException notJson) {
            throw UpstreamFailure.garbage("200 with a body that is not JSON");
        }
        throw UpstreamFailure.garbage(
                "200 with a body that is not an OpenAI " + endpoint.object() + " (no 'choices' array)");
    }

    private JsonNode requestObject(Exchange exchange) {
        if (exchange.body().length() == 0) {
            throw ApiException.invalid("request body is empty; expected a JSON object");
        }
        try {
            JsonNode node = mapper.readTree(exchange.body().getBytes());
            if (node != null && node.isObject()) {
                return node;
            }
        } catch (IOException e) {
            throw ApiException.invalid("malformed JSON");
        }
        throw ApiException.invalid("request body must be a JSON object");
    }

    private Buffer encode(JsonNode node) {
        try {
            return Buffer.buffer(mapper.writeValueAsBytes(node));
        } catch (IOException e) {
            throw new IllegalStateException("cannot encode a response", e);
        }
    }

    private static String contentType(HttpClientResponse response) {
        String type = response.getHeader("Content-Type");
        return type == null ? "" : type.toLowerCase(Locale.ROOT);
    }
}
