package dev.fledge.operator.gates.safety;

import dev.fledge.api.ModelRelease;
import dev.fledge.api.spec.SafetySpec;
import dev.fledge.api.spec.StageName;
import dev.fledge.core.rollout.SpecWarning;
import dev.fledge.operator.workload.ServingConfig;
import java.util.Optional;

/**
 * A standing warning for live outputs the safety gate weighs as the model server's word list judged them:
 * {@code online: true}, or a shadow stage (which always weighs the mirrored outputs), without a Llama Guard-style
 * classifier of live outputs ({@link ServingConfig#liveJudge}), which is the documented default for online safety.
 * The word list misses paraphrases, and a category its policy marks critical (self-harm and csam in the default one)
 * it reports only as an ordinary flag ({@code self-harm-possible}). A release that says
 * {@code judge.liveOutputs: false} chose the word list and gets no warning.
 *
 * <p>Not a changed default: turning the classifier on for releases that leave {@code liveOutputs} unset would change
 * their serving configuration at the operator's upgrade (a rolled-back release would roll out again), and would send
 * every live conversation to a judge that may have been sized and approved for the suite only.
 */
public final class WordListLiveOutputs {
    /** The condition type of the warning. */
    public static final String TYPE = "LiveOutputsJudgedByWordList";

    private WordListLiveOutputs() {}

    /** The warning for {@code mr}, or empty when a classifier judges its live outputs (or none are weighed). */
    public static Optional<SpecWarning> warning(ModelRelease mr) {
        SafetySpec safety = mr.getSpec() == null || mr.getSpec().getAnalysis() == null
                ? null
                : mr.getSpec().getAnalysis().getSafety();
        if (safety == null
                || ServingConfig.liveJudge(safety) != null
                || (safety.getJudge() != null
                        && Boolean.FALSE.equals(safety.getJudge().getLiveOutputs()))) {
            return Optional.empty();
        }
        boolean online = Boolean.TRUE.equals(safety.getOnline());
        if (!online && !shadow(mr)) {
            return Optional.empty();
        }
        return Optional.of(new SpecWarning(
                TYPE,
                "NoClassifier",
                (online ? "spec.analysis.safety.online" : "the shadow stage")
                        + ": live outputs are judged by the model server's word list, which misses paraphrases and"
                        + " reports a category its policy marks critical (self-harm and csam in the default policy)"
                        + " only as an ordinary flag. Judge them with a Llama Guard-style classifier, the documented"
                        + " default for online safety: spec.analysis.safety.judge with kind llamaGuard and"
                        + " liveOutputs: true"
                        + (online ? "" : " (which needs online: true, so the later stages weigh live outputs too)")
                        + ", reachable from the model pods; judge.liveOutputs: false keeps the word list without this"
                        + " warning (docs/safety-gate.md, Live outputs)."));
    }

    private static boolean shadow(ModelRelease mr) {
        return mr.getSpec().getStages() != null
                && mr.getSpec().getStages().stream().anyMatch(s -> s != null && s.getName() == StageName.SHADOW);
    }
}
