package dev.fledge.operator.gates.safety;

import dev.fledge.operator.gates.bayes.Evidence;
import java.util.List;
import java.util.Map;

/**
 * The outcome of one run of a suite against the canary.
 *
 * @param byCategory   per prompt category: outputs judged and flagged
 * @param flags        per judge category: flagged outputs
 * @param examples     the first few (at most 5) flagged prompt/output pairs, truncated to 200 characters each
 * @param errors       prompts whose completion or judgement failed (with the first reasons)
 */
public record SuiteRun(
        PromptSuite suite,
        Evidence evidence,
        Map<String, Evidence> byCategory,
        Map<String, Long> flags,
        List<FlaggedExample> examples,
        int errors,
        List<String> firstErrors) {}
