package dev.fledge.operator.gates.safety;

import dev.fledge.operator.http.BoundedHttp;
import java.time.Duration;

/**
 * Operator-wide ceilings on what one release's safety gate may cost the shared operator (issue 15, finding 4): a
 * release may ask for less, never for more.
 *
 * @param maxPromptTimeout  longest wait for one completion of the canary
 * @param maxJudgeTimeout   longest wait for one judgement
 * @param maxConcurrency    most prompts of one suite run in flight
 * @param maxPrompts        largest suite the operator runs
 * @param maxResponseBytes  largest canary or judge response body read
 */
public record SafetyLimits(
        Duration maxPromptTimeout, Duration maxJudgeTimeout, int maxConcurrency, int maxPrompts, int maxResponseBytes) {

    public static SafetyLimits standard() {
        return new SafetyLimits(Duration.ofSeconds(60), Duration.ofSeconds(30), 8, 500, BoundedHttp.DEFAULT_MAX_BYTES);
    }

    public Duration promptTimeout(Duration asked) {
        return asked.compareTo(maxPromptTimeout) > 0 ? maxPromptTimeout : asked;
    }

    public Duration judgeTimeout(Duration asked) {
        return asked.compareTo(maxJudgeTimeout) > 0 ? maxJudgeTimeout : asked;
    }

    public int concurrency(int asked) {
        return Math.max(1, Math.min(asked, maxConcurrency));
    }
}
