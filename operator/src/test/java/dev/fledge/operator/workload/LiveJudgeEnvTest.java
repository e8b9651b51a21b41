package dev.fledge.operator.workload;

import static org.assertj.core.api.Assertions.assertThat;

import dev.fledge.api.ModelRelease;
import dev.fledge.api.spec.AnalysisSpec;
import dev.fledge.api.spec.JudgeKind;
import dev.fledge.api.spec.JudgeSpec;
import dev.fledge.api.spec.ModelReleaseSpec;
import dev.fledge.api.spec.ModelSpec;
import dev.fledge.api.spec.SafetySpec;
import io.fabric8.kubernetes.api.model.EnvVar;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;

/** The classifier of live outputs: when a release records it, and the model server settings it gives. */
class LiveJudgeEnvTest {
    static final String URL = "http://guard.ml:8000/v1/chat/completions";

    static ModelRelease release(Boolean online, JudgeKind kind, Boolean liveOutputs) {
        ModelRelease mr = new ModelRelease();
        mr.setSpec(new ModelReleaseSpec()
                .withModel(new ModelSpec().withName("a").withVersion("1.0.0").withUri("file:///m"))
                .withAnalysis(new AnalysisSpec()
                        .withSafety(new SafetySpec()
                                .withOnline(online)
                                .withJudge(new JudgeSpec()
                                        .withKind(kind)
                                        .withUrl(URL)
                                        .withModel("llama-guard-3")
                                        .withTimeout("1.5s")
                                        .withCategories(Map.of("S11", "suicide"))
                                        .withLiveOutputs(liveOutputs)))));
        return mr;
    }

    static Map<String, String> env(List<EnvVar> env) {
        Map<String, String> m = new LinkedHashMap<>();
        env.forEach(e -> m.put(e.getName(), e.getValue()));
        return m;
    }

    @Test
    void onlyOnlineLlamaGuardWithLiveOutputsIsRecordedAndWithoutTheFlag() {
        assertThat(ServingConfig.liveJudge(release(true, JudgeKind.LLAMA_GUARD, true)))
                .satisfies(j -> {
                    assertThat(j.getUrl()).isEqualTo(URL);
                    assertThat(j.getLiveOutputs()).isNull();
                });
        assertThat(ServingConfig.liveJudge(release(false, JudgeKind.LLAMA_GUARD, true)))
                .isNull();
        assertThat(ServingConfig.liveJudge(release(true, JudgeKind.MODERATION, true)))
                .isNull();
        assertThat(ServingConfig.liveJudge(release(true, null, true)))
                .as("the default kind: a moderation endpoint")
                .isNull();
        assertThat(ServingConfig.liveJudge(release(true, JudgeKind.LLAMA_GUARD, null)))
                .as("unset: the word list, so an operator upgrade changes no release's serving configuration")
                .isNull();
        assertThat(ServingConfig.liveJudge(release(true, JudgeKind.LLAMA_GUARD, false)))
                .isNull();
    }

    @Test
    void turningItOnChangesTheConfigurationHashSoItIsRolledOut() {
        ServingConfig config = new ServingConfig(new ServerDefaults("fledge/model-server:0.1.0", 8080));
        String off = config.of(release(true, JudgeKind.LLAMA_GUARD, false)).getConfigHash();
        String on = config.of(release(true, JudgeKind.LLAMA_GUARD, true)).getConfigHash();
        ModelRelease plain = release(true, JudgeKind.LLAMA_GUARD, false);
        plain.getSpec().setAnalysis(null);
        assertThat(on).isNotEqualTo(off);
        assertThat(config.of(plain).getConfigHash())
                .as("a release without it hashes as before")
                .isEqualTo(off);
    }

    @Test
    void theModelServerGetsTheWholeMappingTheModelAndTheTimeoutInMilliseconds() {
        Map<String, String> env =
                env(LiveJudgeEnv.of(ServingConfig.liveJudge(release(true, JudgeKind.LLAMA_GUARD, true))));
        assertThat(env)
                .containsEntry("FLEDGE_GUARD_JUDGE_URL", URL)
                .containsEntry("FLEDGE_GUARD_JUDGE_MODEL", "llama-guard-3")
                .containsEntry("FLEDGE_GUARD_JUDGE_TIMEOUT", "1500ms");
        assertThat(env.get("FLEDGE_GUARD_JUDGE_CATEGORIES"))
                .startsWith("S1=violence,S2=illicit,")
                .contains(",S10=hate,S11=suicide,S12=sexual,")
                .endsWith(",S14=code-interpreter-abuse");
    }

    @Test
    void aTimeoutIsKeptWithin100MillisecondsAndAMinuteAndAUrlWithAnExpressionIsRefused() {
        JudgeSpec judge = ServingConfig.liveJudge(release(true, JudgeKind.LLAMA_GUARD, true));
        judge.setTimeout("0s");
        assertThat(env(LiveJudgeEnv.of(judge))).containsEntry("FLEDGE_GUARD_JUDGE_TIMEOUT", "100ms");
        judge.setTimeout("2h");
        assertThat(env(LiveJudgeEnv.of(judge))).containsEntry("FLEDGE_GUARD_JUDGE_TIMEOUT", "60000ms");
        for (String url : List.of("http://guard/${fledge.feedback.signing-key-file}", "http://", "http://a b/")) {
            judge.setUrl(url);
            assertThat(LiveJudgeEnv.problem(judge)).as(url).isNotNull();
            assertThat(LiveJudgeEnv.of(judge)).as(url).isEmpty();
        }
    }

    @Test
    void aMappingTheOperatorRefusesGivesNoClassifier() {
        JudgeSpec judge = ServingConfig.liveJudge(release(true, JudgeKind.LLAMA_GUARD, true));
        judge.setCategories(Map.of("violence", "S1"));
        assertThat(LiveJudgeEnv.of(judge)).isEmpty();
        assertThat(LiveJudgeEnv.of(null)).isEmpty();
    }
}
