package dev.fledge.server.api.openai;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import dev.fledge.server.config.FledgeConfig;
import dev.fledge.server.guard.Guard;
import dev.fledge.server.guard.LiveClassifier;
import dev.fledge.server.guard.Turn;
import dev.fledge.server.guard.Verdict;
import dev.fledge.server.metrics.Audience;
import dev.fledge.server.metrics.ServerMetrics;
import jakarta.enterprise.context.ApplicationScoped;
import java.io.IOException;
import java.util.List;
import org.jboss.logging.Logger;

/**
 * The guard's part in every generated output, whichever backend made it: judge the text, count the verdict, its
 * categories and the tokens, and say whether the output must be replaced by the refusal (blocking mode). Streamed
 * outputs are judged once they are complete; they were sent already, so they are counted but never replaced.
 */
@ApplicationScoped
public class OutputJudge {
    private static final Logger LOG = Logger.getLogger(OutputJudge.class);

    private final Guard guard;
    private final LiveClassifier classifier;
    private final ServerMetrics metrics;
    private final ObjectMapper mapper;
    private final FledgeConfig.GuardConfig config;

    public OutputJudge(
            Guard guard, LiveClassifier classifier, ServerMetrics metrics, ObjectMapper mapper, FledgeConfig config) {
        this.guard = guard;
        this.classifier = classifier;
        this.metrics = metrics;
        this.mapper = mapper;
        this.config = config.guard();
    }

    /**
     * Judges and counts one output of a request to {@code endpoint}. The returned verdict is the word list's, which
     * decides blocking; with a classifier configured, the metrics count the classifier's verdict instead, once it
     * comes (or the output as not judged).
     */
    public Verdict judge(Endpoint endpoint, Exchange exchange, String text, long tokens) {
        Audience audience = exchange.audience();
        Verdict verdict = guard.judge(text);
        // the operator's own suite requests (evaluation) are judged by its judge, and no gate reads their counts
        if (!classifier.enabled() || audience == Audience.EVALUATION) {
            metrics.output(audience, verdict, tokens);
            return verdict;
        }
        metrics.tokens(audience, tokens);
        classifier.judge(() -> conversation(endpoint, exchange), text).whenComplete((judged, failure) -> {
            if (failure == null && judged.isPresent()) {
                metrics.verdict(audience, judged.get());
            } else {
                metrics.unjudged(audience);
            }
        });
        return verdict;
    }

    /** The user and assistant turns the output answers, from the request's body. */
    private List<Turn> conversation(Endpoint endpoint, Exchange exchange) {
        try {
            JsonNode request = mapper.readTree(exchange.body().getBytes());
            return endpoint == Endpoint.COMPLETIONS ? Turn.ofPrompt(request) : Turn.ofMessages(request);
        } catch (IOException e) {
            LOG.debugf("request body not readable for the classifier: %s", e.toString());
            return List.of();
        }
    }

    /** True when this (not streamed) output must be replaced by {@link #refusal()}. */
    public boolean blocks(Verdict verdict) {
        return config.blocking() && verdict.flagged();
    }

    public String refusal() {
        return config.refusal();
    }
}
