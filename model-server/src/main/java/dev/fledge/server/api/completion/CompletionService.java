package dev.fledge.server.api.completion;

import dev.fledge.server.api.ApiException;
import dev.fledge.server.api.MeteredRequests;
import dev.fledge.server.api.ServedModels;
import dev.fledge.server.config.FledgeConfig;
import dev.fledge.server.fault.FaultInjector;
import dev.fledge.server.feedback.IssuedResponses;
import dev.fledge.server.guard.Guard;
import dev.fledge.server.guard.Verdict;
import dev.fledge.server.metrics.Audience;
import dev.fledge.server.metrics.Outcome;
import dev.fledge.server.metrics.ServerMetrics;
import dev.fledge.server.model.TextModel;
import dev.fledge.server.text.Generation;
import jakarta.enterprise.context.ApplicationScoped;
import java.time.Instant;
import java.util.List;
import java.util.concurrent.CompletionStage;
import java.util.concurrent.ThreadLocalRandom;

/** Validates a completion request, generates, judges the output, and counts all of it. */
@ApplicationScoped
public class CompletionService {
    private final ServedModels models;
    private final Guard guard;
    private final ServerMetrics metrics;
    private final IssuedResponses ids;
    private final FaultInjector faults;
    private final FledgeConfig.ServingConfig limits;
    private final FledgeConfig.GuardConfig guardConfig;
    private final MeteredRequests metered;

    public CompletionService(ServedModels models, Guard guard, ServerMetrics metrics, IssuedResponses ids,
            FaultInjector faults, FledgeConfig config, MeteredRequests metered) {
        this.metered = metered;
        this.models = models;
        this.guard = guard;
        this.metrics = metrics;
        this.ids = ids;
        this.faults = faults;
        this.limits = config.serving();
        this.guardConfig = config.guard();
    }

    /**
     * Validates at once (an invalid request fails before any inference), then generates on one of the model's
     * inference threads, judges the output and counts it there.
     */
    public CompletionStage<CompletionResponse> complete(CompletionRequest request, Audience audience) {
        return metered.runAsync(audience, () -> {
            TextModel model = models.text(request.model());
            if (request.prompt() == null) {
                throw ApiException.invalid("field 'prompt' is required");
            }
            int maxTokens = maxTokens(request);
            double temperature = temperature(request);
            long seed = request.seed() != null ? request.seed() : ThreadLocalRandom.current().nextLong();
            return model.completeAsync(request.prompt(), maxTokens, temperature, seed, faults::apply)
                    .thenApply(generation -> judged(generation, audience));
        });
    }

    private MeteredRequests.Result<CompletionResponse> judged(Generation generation, Audience audience) {
        Verdict verdict = guard.judge(generation.text());
        metrics.output(audience, verdict, generation.completionTokens());
        boolean blocked = guardConfig.blocking() && verdict.flagged();
        return new MeteredRequests.Result<>(response(generation, blocked, audience),
                blocked ? Outcome.BLOCKED : Outcome.SUCCESS);
    }

    private int maxTokens(CompletionRequest request) {
        int value = request.maxTokens() != null ? request.maxTokens() : limits.defaultMaxTokens();
        if (value < 1 || value > limits.maxTokens()) {
            throw ApiException.invalid("max_tokens must be between 1 and " + limits.maxTokens() + ", got " + value);
        }
        return value;
    }

    private static double temperature(CompletionRequest request) {
        double value = request.temperature() != null ? request.temperature() : 1.0;
        if (value < 0 || value > 2) {
            throw ApiException.invalid("temperature must be between 0 and 2, got " + value);
        }
        return value;
    }

    private CompletionResponse response(Generation generation, boolean blocked, Audience audience) {
        String text = blocked ? guardConfig.refusal() : generation.text();
        var choice = new CompletionResponse.Choice(text, 0, null, blocked ? "content_filter" : "length");
        var usage = new CompletionResponse.Usage(generation.promptTokens(), generation.completionTokens(),
                generation.promptTokens() + generation.completionTokens());
        return new CompletionResponse(ids.issue("cmpl", audience), "text_completion",
                Instant.now().getEpochSecond(), models.name(), models.version(), List.of(choice), usage);
    }
}
