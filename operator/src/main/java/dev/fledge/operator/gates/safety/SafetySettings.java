package dev.fledge.operator.gates.safety;

import dev.fledge.operator.http.OutboundPolicy;
import java.time.Duration;
import java.util.Optional;

/**
 * Operator-wide safety settings.
 *
 * @param defaultJudgeUrl the moderation endpoint used when a release names none
 * @param maxTokens       completion length asked of the canary per prompt
 * @param limits          operator-wide ceilings on timeouts, concurrency, suite size and response size
 * @param outbound        where a release's own judge URL may point
 * @param suites          how many suite runs the operator runs at once, in all and per namespace
 */
public record SafetySettings(
        Optional<String> defaultJudgeUrl,
        int maxTokens,
        SafetyLimits limits,
        OutboundPolicy outbound,
        SuiteConcurrency suites) {
    /** Standard limits, and any judge URL (tests and the local harness, whose judges run on loopback). */
    public SafetySettings(Optional<String> defaultJudgeUrl, int maxTokens) {
        this(defaultJudgeUrl, maxTokens, SafetyLimits.standard(), OutboundPolicy.permissive());
    }

    /** The standard suite concurrency. */
    public SafetySettings(
            Optional<String> defaultJudgeUrl, int maxTokens, SafetyLimits limits, OutboundPolicy outbound) {
        this(defaultJudgeUrl, maxTokens, limits, outbound, SuiteConcurrency.standard());
    }

    public static final Duration DEFAULT_PROMPT_TIMEOUT = Duration.ofSeconds(30);
    public static final Duration DEFAULT_JUDGE_TIMEOUT = Duration.ofSeconds(10);
    public static final int DEFAULT_CONCURRENCY = 4;
}
