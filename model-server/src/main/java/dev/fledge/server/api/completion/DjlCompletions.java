package dev.fledge.server.api.completion;

import dev.fledge.server.api.ApiException;
import dev.fledge.server.api.JsonBodies;
import dev.fledge.server.api.MeteredRequests;
import dev.fledge.server.api.ServedModels;
import dev.fledge.server.api.openai.Completions;
import dev.fledge.server.api.openai.Endpoint;
import dev.fledge.server.api.openai.Exchange;
import dev.fledge.server.api.openai.OutputJudge;
import dev.fledge.server.config.FledgeConfig;
import dev.fledge.server.fault.FaultInjector;
import dev.fledge.server.feedback.IssuedResponses;
import dev.fledge.server.guard.Verdict;
import dev.fledge.server.metrics.Outcome;
import dev.fledge.server.model.TextModel;
import dev.fledge.server.text.Generation;
import dev.fledge.server.text.TextGenerator;
import jakarta.enterprise.context.ApplicationScoped;
import jakarta.enterprise.inject.Typed;
import java.time.Instant;
import java.util.concurrent.CompletionStage;
import java.util.concurrent.ThreadLocalRandom;
import java.util.function.Consumer;

/**
 * The DJL backend: validates a completion or chat request, generates on one of the model's inference threads,
 * judges the output and counts all of it. Streamed, each word is sent as it is generated (one chunk each).
 */
@ApplicationScoped
@Typed(DjlCompletions.class)
public class DjlCompletions implements Completions {
    private static final String LENGTH = "length";

    private final JsonBodies json;
    private final ServedModels models;
    private final OutputJudge judge;
    private final IssuedResponses ids;
    private final FaultInjector faults;
    private final FledgeConfig.ServingConfig limits;
    private final MeteredRequests metered;
    private final ChatTemplate template = new ChatTemplate();

    public DjlCompletions(
            JsonBodies json,
            ServedModels models,
            OutputJudge judge,
            IssuedResponses ids,
            FaultInjector faults,
            FledgeConfig config,
            MeteredRequests metered) {
        this.json = json;
        this.models = models;
        this.judge = judge;
        this.ids = ids;
        this.faults = faults;
        this.limits = config.serving();
        this.metered = metered;
    }

    @Override
    public void handle(Endpoint endpoint, Exchange exchange) {
        Prompted request = endpoint == Endpoint.COMPLETIONS
                ? Prompted.of(json.parse(exchange.bodyText(), CompletionRequest.class))
                : Prompted.of(json.parse(exchange.bodyText(), ChatRequest.class));
        metered.runAsync(exchange.audience(), () -> generate(endpoint, request, exchange))
                .whenComplete((answer, failure) -> {
                    if (failure != null) {
                        exchange.fail(failure);
                    } else if (answer != null) {
                        exchange.json(200, answer);
                    } else {
                        exchange.done();
                    }
                });
    }

    /** Validates at once (an invalid request fails before any inference), then generates. */
    private CompletionStage<MeteredRequests.Result<Object>> generate(
            Endpoint endpoint, Prompted request, Exchange exchange) {
        TextModel model = models.text(request.model());
        String prompt = request.prompt(template);
        int maxTokens = maxTokens(request.maxTokens());
        double temperature = temperature(request.temperature());
        long seed = request.seed() != null
                ? request.seed()
                : ThreadLocalRandom.current().nextLong();
        Shapes shapes = new Shapes(
                endpoint,
                ids.issue(endpoint.idPrefix(), exchange.audience()),
                Instant.now().getEpochSecond(),
                models.name(),
                models.version());
        Consumer<String> pieces = request.stream() ? streamTo(exchange, shapes) : TextGenerator.NO_PIECES;
        return model.completeAsync(prompt, maxTokens, temperature, seed, faults::apply, pieces)
                .thenApply(generation -> finish(generation, endpoint, request, shapes, exchange));
    }

    private static Consumer<String> streamTo(Exchange exchange, Shapes shapes) {
        boolean[] opened = {false};
        return piece -> {
            if (!opened[0]) {
                opened[0] = true;
                Object opening = shapes.opening();
                if (opening != null) {
                    exchange.event(opening);
                }
            }
            exchange.event(shapes.piece(piece));
        };
    }

    private MeteredRequests.Result<Object> finish(
            Generation generation, Endpoint endpoint, Prompted request, Shapes shapes, Exchange exchange) {
        String text = request.stream() ? generation.text() : faults.answer(exchange.audience(), generation.text());
        Verdict verdict = judge.judge(endpoint, exchange, text, generation.completionTokens());
        var usage = new CompletionResponse.Usage(
                generation.promptTokens(),
                generation.completionTokens(),
                generation.promptTokens() + generation.completionTokens());
        if (request.stream()) {
            exchange.event(shapes.finish(LENGTH));
            if (request.includeUsage()) {
                exchange.event(shapes.usage(usage));
            }
            return new MeteredRequests.Result<>(null, Outcome.SUCCESS);
        }
        boolean blocked = judge.blocks(verdict);
        return new MeteredRequests.Result<>(
                shapes.whole(blocked ? judge.refusal() : text, blocked ? Endpoint.CONTENT_FILTER : LENGTH, usage),
                blocked ? Outcome.BLOCKED : Outcome.SUCCESS);
    }

    private int maxTokens(Integer requested) {
        int value = requested != null ? requested : limits.defaultMaxTokens();
        if (value < 1) {
            throw ApiException.invalid("max_tokens must be between 1 and " + limits.maxTokens() + ", got " + value);
        }
        if (value > limits.maxTokens()) {
            throw ApiException.modelLimit("max_tokens must be between 1 and " + limits.maxTokens() + ", got " + value);
        }
        return value;
    }

    private static double temperature(Double requested) {
        double value = requested != null ? requested : 1.0;
        if (value < 0 || value > 2) {
            throw ApiException.invalid("temperature must be between 0 and 2, got " + value);
        }
        return value;
    }
}
