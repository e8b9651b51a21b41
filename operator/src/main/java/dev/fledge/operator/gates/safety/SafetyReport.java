package dev.fledge.operator.gates.safety;

import java.util.List;
import java.util.Map;

/**
 * What the report ConfigMap of one suite run holds: the counts and the first flagged prompt/output pairs.
 *
 * @param rollout the evidence of all suite runs of this rollout (samples, flagged)
 */
public record SafetyReport(String release, String canaryVersion, String stage, String at, String suite,
        String suiteHash, int prompts, long samples, long flagged, Map<String, Counts> categories,
        Map<String, Long> judgeFlags, List<FlaggedExample> examples, Counts rollout) {

    /** Outputs judged and flagged. */
    public record Counts(long samples, long flagged) {
    }
}
