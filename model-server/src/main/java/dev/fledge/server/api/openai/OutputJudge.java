package dev.fledge.server.api.openai;

import dev.fledge.server.config.FledgeConfig;
import dev.fledge.server.guard.Guard;
import dev.fledge.server.guard.Verdict;
import dev.fledge.server.metrics.Audience;
import dev.fledge.server.metrics.ServerMetrics;
import jakarta.enterprise.context.ApplicationScoped;

/**
 * The guard's part in every generated output, whichever backend made it: judge the text, count the verdict, its
 * categories and the tokens, and say whether the output must be replaced by the refusal (blocking mode). Streamed
 * outputs are judged once they are complete; they were sent already, so they are counted but never replaced.
 */
@ApplicationScoped
public class OutputJudge {
    private final Guard guard;
    private final ServerMetrics metrics;
    private final FledgeConfig.GuardConfig config;

    public OutputJudge(Guard guard, ServerMetrics metrics, FledgeConfig config) {
        this.guard = guard;
        this.metrics = metrics;
        this.config = config.guard();
    }

    /** Judges and counts one output. */
    public Verdict judge(Audience audience, String text, long tokens) {
        Verdict verdict = guard.judge(text);
        metrics.output(audience, verdict, tokens);
        return verdict;
    }

    /** True when this (not streamed) output must be replaced by {@link #refusal()}. */
    public boolean blocks(Verdict verdict) {
        return config.blocking() && verdict.flagged();
    }

    public String refusal() {
        return config.refusal();
    }
}
