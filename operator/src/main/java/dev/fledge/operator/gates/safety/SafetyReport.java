package dev.fledge.operator.gates.safety;

import dev.fledge.operator.gates.GateContext;
import dev.fledge.operator.gates.bayes.Evidence;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;

/**
 * What the report ConfigMap of one suite run holds: the counts and the first flagged prompt/output pairs.
 *
 * @param rollout the evidence of all suite runs of this rollout (samples, flagged)
 */
public record SafetyReport(
        String release,
        String canaryVersion,
        String stage,
        String at,
        String suite,
        String suiteHash,
        int prompts,
        long samples,
        long flagged,
        Map<String, Counts> categories,
        Map<String, Long> judgeFlags,
        List<FlaggedExample> examples,
        Counts rollout) {

    /** The report of one suite run in a gate evaluation; {@code rollout} is the evidence of all runs so far. */
    static SafetyReport of(GateContext ctx, SuiteRun run, Evidence rollout) {
        Map<String, Counts> counts = new TreeMap<>();
        run.byCategory().forEach((c, e) -> counts.put(c, new Counts(e.samples(), e.flagged())));
        return new SafetyReport(
                ctx.release().getMetadata().getName(),
                ctx.canaryVersion(),
                ctx.stage() == null ? null : ctx.stage().wireName(),
                ctx.now().toString(),
                run.suite().name(),
                run.suite().hash(),
                run.suite().prompts().size(),
                run.evidence().samples(),
                run.evidence().flagged(),
                counts,
                run.flags(),
                run.examples(),
                new Counts(rollout.samples(), rollout.flagged()));
    }

    /** Outputs judged and flagged. */
    public record Counts(long samples, long flagged) {}
}
