package dev.fledge.operator.gates.safety;

import dev.fledge.api.spec.JudgeKind;
import dev.fledge.api.spec.JudgeSpec;
import java.net.http.HttpClient;
import java.time.Duration;
import java.util.function.BiFunction;

/** Builds the judge a release names ({@code spec.analysis.safety.judge}) for one address. */
@FunctionalInterface
public interface Judges {
    /**
     * The judge of kind {@code spec.kind} at {@code url} (the address the outbound policy allowed, which may differ
     * from {@code spec.url}); {@code spec} null is the operator's default judge, a moderation endpoint. Throws
     * {@link IllegalArgumentException} for a spec that names no usable judge ({@link #problem}).
     */
    Judge at(JudgeSpec spec, String url, Duration timeout);

    /** The operator's judges: both kinds, over its shared client ({@code http}). */
    static Judges http(HttpClient http, int maxResponseBytes) {
        return (spec, url, timeout) -> kind(spec) == JudgeKind.LLAMA_GUARD
                ? new LlamaGuardJudge(
                        http,
                        url,
                        timeout,
                        maxResponseBytes,
                        spec.getModel(),
                        LlamaGuardCategories.of(spec.getCategories()))
                : new ModerationJudge(http, url, timeout, maxResponseBytes);
    }

    /**
     * Moderation judges from {@code moderation} (tests of the gate's logic); a llamaGuard spec gets a judge whose
     * every call fails, so that it can never count as clean.
     */
    static Judges moderationOnly(BiFunction<String, Duration, Judge> moderation) {
        return (spec, url, timeout) -> kind(spec) == JudgeKind.LLAMA_GUARD
                ? text -> {
                    throw new ServiceCallFailed("this operator has no llamaGuard judge");
                }
                : moderation.apply(url, timeout);
    }

    /** Why {@code spec} names no usable judge (a bad category mapping), or null. */
    static String problem(JudgeSpec spec) {
        if (kind(spec) != JudgeKind.LLAMA_GUARD) {
            return null;
        }
        try {
            LlamaGuardCategories.of(spec.getCategories());
            return null;
        } catch (IllegalArgumentException e) {
            return e.getMessage();
        }
    }

    static JudgeKind kind(JudgeSpec spec) {
        return spec == null || spec.getKind() == null ? JudgeKind.MODERATION : spec.getKind();
    }
}
