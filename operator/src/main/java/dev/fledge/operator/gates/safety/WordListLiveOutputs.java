package dev.fledge.operator.gates.safety;

import dev.fledge.api.ModelRelease;
import dev.fledge.api.spec.SafetySpec;
import dev.fledge.core.rollout.SpecWarning;
import dev.fledge.operator.workload.ServingConfig;
import java.util.List;
import java.util.Optional;

/**
 * A standing warning for online safety judged by the model server's word list: {@code online: true} without a Llama
 * Guard-style classifier of live outputs ({@link ServingConfig#liveJudge}), which is the documented setting. The word
 * list misses paraphrases and never reports a critical category, so no live output can roll the release back as
 * critical. A release that says {@code judge.liveOutputs: false} chose the word list and gets no warning.
 *
 * <p>Not a changed default: turning the classifier on for releases that leave {@code liveOutputs} unset would change
 * their serving configuration at the operator's upgrade (a rolled-back release would roll out again), and would send
 * every live conversation to a judge that may have been sized and approved for the suite only.
 */
public final class WordListLiveOutputs {
    /** The condition type of the warning. */
    public static final String TYPE = "LiveOutputsJudgedByWordList";

    /** Critical categories named in the message; more are counted. */
    static final int SHOWN = 8;

    private WordListLiveOutputs() {}

    /** The warning for {@code mr}, or empty when a classifier judges its live outputs (or none are weighed). */
    public static Optional<SpecWarning> warning(ModelRelease mr) {
        SafetySpec safety = mr.getSpec() == null || mr.getSpec().getAnalysis() == null
                ? null
                : mr.getSpec().getAnalysis().getSafety();
        if (safety == null
                || !Boolean.TRUE.equals(safety.getOnline())
                || ServingConfig.liveJudge(safety) != null
                || (safety.getJudge() != null
                        && Boolean.FALSE.equals(safety.getJudge().getLiveOutputs()))) {
            return Optional.empty();
        }
        List<String> critical = safety.getCriticalCategories() == null
                ? List.of()
                : safety.getCriticalCategories().stream()
                        .filter(c -> c != null)
                        .map(TenantText::cut)
                        .distinct()
                        .toList();
        String named = critical.size() <= SHOWN
                ? critical.toString()
                : critical.subList(0, SHOWN) + " and " + (critical.size() - SHOWN) + " more";
        return Optional.of(new SpecWarning(
                TYPE,
                "NoClassifier",
                "spec.analysis.safety.online: live outputs are judged by the model server's word list, which misses"
                        + " paraphrases and never reports a critical category"
                        + (critical.isEmpty() ? "" : " (a live output in " + named + " is not a critical failure)")
                        + ". Judge them with a Llama Guard-style classifier, the documented setting for online safety:"
                        + " spec.analysis.safety.judge with kind llamaGuard and liveOutputs: true, reachable from the"
                        + " model pods; judge.liveOutputs: false keeps the word list without this warning"
                        + " (docs/safety-gate.md, Live outputs)."));
    }
}
