package dev.fledge.operator.workload;

import dev.fledge.api.spec.JudgeSpec;
import dev.fledge.core.rollout.GoDuration;
import dev.fledge.operator.gates.safety.LlamaGuardCategories;
import io.fabric8.kubernetes.api.model.EnvVar;
import java.net.URI;
import java.net.URISyntaxException;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.stream.Collectors;

/**
 * The model server's settings for the classifier of live outputs ({@code fledge.guard.judge.*}), from a track's
 * recorded {@code liveJudge}: its URL, model, timeout and the whole code mapping (Llama Guard 3's defaults with the
 * release's own entries over them), so the model server needs no defaults of its own; the timeout within 100 ms and
 * 60 s. A judge the operator refuses ({@link #problem}) gives no settings: the pods judge with the word list, and the
 * safety gate is {@code Inconclusive} with the reason.
 * Pure.
 */
public final class LiveJudgeEnv {
    static final Duration DEFAULT_TIMEOUT = Duration.ofSeconds(10);
    static final Duration MIN_TIMEOUT = Duration.ofMillis(100);
    static final Duration MAX_TIMEOUT = Duration.ofSeconds(60);

    private LiveJudgeEnv() {}

    /**
     * Why the model pods cannot be given {@code judge}: a category mapping the operator refuses, or a URL or model the
     * model server would not take as written ({@code $} starts a configuration expression there); null when they can.
     */
    public static String problem(JudgeSpec judge) {
        try {
            LlamaGuardCategories.of(judge.getCategories());
        } catch (IllegalArgumentException e) {
            return e.getMessage();
        }
        String url = judge.getUrl();
        if (url == null
                || url.contains("$")
                || (judge.getModel() != null && judge.getModel().contains("$"))) {
            return "judge.url and judge.model may not contain '$' when the model pods judge live outputs";
        }
        try {
            URI u = new URI(url);
            if (u.getHost() == null || !("http".equals(u.getScheme()) || "https".equals(u.getScheme()))) {
                return "judge.url is not an http(s) URL with a host";
            }
        } catch (URISyntaxException e) {
            return "judge.url is not a URL: " + e.getReason();
        }
        return null;
    }

    public static List<EnvVar> of(JudgeSpec judge) {
        if (judge == null || problem(judge) != null) {
            return List.of();
        }
        LlamaGuardCategories categories = LlamaGuardCategories.of(judge.getCategories());
        List<EnvVar> env = new ArrayList<>();
        env.add(new EnvVar("FLEDGE_GUARD_JUDGE_URL", judge.getUrl(), null));
        if (judge.getModel() != null) {
            env.add(new EnvVar("FLEDGE_GUARD_JUDGE_MODEL", judge.getModel(), null));
        }
        Duration timeout = GoDuration.parseOr(judge.getTimeout(), DEFAULT_TIMEOUT);
        timeout = timeout.compareTo(MIN_TIMEOUT) < 0
                ? MIN_TIMEOUT
                : timeout.compareTo(MAX_TIMEOUT) > 0 ? MAX_TIMEOUT : timeout;
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
