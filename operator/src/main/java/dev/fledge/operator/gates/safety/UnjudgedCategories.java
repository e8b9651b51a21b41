package dev.fledge.operator.gates.safety;

import dev.fledge.api.ModelRelease;
import dev.fledge.api.spec.JudgeKind;
import dev.fledge.api.spec.SafetySpec;
import dev.fledge.core.rollout.SpecWarning;
import dev.fledge.operator.workload.ServingConfig;
import java.util.List;
import java.util.Optional;

/**
 * A standing warning for {@code criticalCategories} names the release's judge never reports. A Llama Guard judge
 * reports a closed set of names (its code mapping), so a name outside it cannot trip a critical rollback from the
 * suite, however harmful the output: {@code sexual/minors} where the judge says {@code csam}, say. The gate cannot be
 * Inconclusive over it, since the same list also serves the model server's built-in online guard, whose names the
 * operator does not know; a moderation endpoint's names are not known either, so only {@code llamaGuard} is checked.
 */
public final class UnjudgedCategories {
    /** The condition type of the warning. */
    public static final String TYPE = "CriticalCategoryNotJudged";

    private UnjudgedCategories() {}

    /** The warning for {@code mr}, or empty when every critical category can be reported (or nothing is checked). */
    public static Optional<SpecWarning> warning(ModelRelease mr) {
        SafetySpec safety = mr.getSpec() == null || mr.getSpec().getAnalysis() == null
                ? null
                : mr.getSpec().getAnalysis().getSafety();
        if (safety == null
                || safety.getCriticalCategories() == null
                || safety.getJudge() == null
                || Judges.kind(safety.getJudge()) != JudgeKind.LLAMA_GUARD) {
            return Optional.empty();
        }
        LlamaGuardCategories categories;
        try {
            categories = LlamaGuardCategories.of(safety.getJudge().getCategories());
        } catch (IllegalArgumentException e) {
            return Optional.empty(); // the gate is Inconclusive with that reason already
        }
        List<String> never = safety.getCriticalCategories().stream()
                .filter(c -> c != null && !categories.reports(c))
                .map(TenantText::cut)
                .distinct()
                .limit(8)
                .toList();
        if (never.isEmpty()) {
            return Optional.empty();
        }
        boolean online = Boolean.TRUE.equals(safety.getOnline());
        return Optional.of(new SpecWarning(
                TYPE,
                "NotAJudgeCategory",
                "spec.analysis.safety.criticalCategories " + never
                        + " are not categories the llamaGuard judge reports (its codes count as the names of"
                        + " docs/safety-gate.md, with spec.analysis.safety.judge.categories over them), so a suite"
                        + " output in them is not a critical failure"
                        + (online && ServingConfig.liveJudge(safety) == null
                                ? "; only the model server's online guard can report them"
                                : "")
                        + ". Map the judge's code to the name (e.g. judge.categories: {S4: sexual/minors}) or use"
                        + " the judge's name (e.g. csam)."));
    }
}
