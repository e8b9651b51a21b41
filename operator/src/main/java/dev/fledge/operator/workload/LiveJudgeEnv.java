package dev.fledge.operator.workload;

import dev.fledge.api.spec.JudgeSpec;
import dev.fledge.core.rollout.GoDuration;
import dev.fledge.operator.gates.safety.LlamaGuardCategories;
import io.fabric8.kubernetes.api.model.EnvVar;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.stream.Collectors;

/**
 * The model server's settings for the classifier of live outputs ({@code fledge.guard.judge.*}), from a track's
 * recorded {@code liveJudge}: its URL, model, timeout and the whole code mapping (Llama Guard 3's defaults with the
 * release's own entries over them), so the model server needs no defaults of its own. A mapping the operator refuses
 * gives no settings: the pods judge with the word list, and the safety gate is {@code Inconclusive} with the reason.
 * Pure.
 */
public final class LiveJudgeEnv {
    static final Duration DEFAULT_TIMEOUT = Duration.ofSeconds(10);

    private LiveJudgeEnv() {}

    public static List<EnvVar> of(JudgeSpec judge) {
        if (judge == null || judge.getUrl() == null) {
            return List.of();
        }
        LlamaGuardCategories categories;
        try {
            categories = LlamaGuardCategories.of(judge.getCategories());
        } catch (IllegalArgumentException e) {
            return List.of();
        }
        List<EnvVar> env = new ArrayList<>();
        env.add(new EnvVar("FLEDGE_GUARD_JUDGE_URL", judge.getUrl(), null));
        if (judge.getModel() != null) {
            env.add(new EnvVar("FLEDGE_GUARD_JUDGE_MODEL", judge.getModel(), null));
        }
        Duration timeout = GoDuration.parseOr(judge.getTimeout(), DEFAULT_TIMEOUT);
        env.add(new EnvVar("FLEDGE_GUARD_JUDGE_TIMEOUT", timeout.toMillis() + "ms", null));
        env.add(new EnvVar(
                "FLEDGE_GUARD_JUDGE_CATEGORIES",
                categories.mapping().entrySet().stream()
                        .map(e -> e.getKey() + "=" + e.getValue())
                        .collect(Collectors.joining(",")),
                null));
        return env;
    }
}
