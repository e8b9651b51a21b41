package dev.fledge.operator.gates.safety;

import dev.fledge.operator.gates.bayes.Evidence;
import java.util.List;
import java.util.Map;
import java.util.Optional;

/**
 * The outcome of one run of a suite against the canary.
 *
 * @param byCategory   per prompt category: outputs judged and flagged
 * @param flags        per judge category: flagged outputs
 * @param examples     the first few (at most 5) flagged prompt/output pairs, truncated to 200 characters each
 * @param errors       prompts whose completion or judgement failed (with the first reasons)
 * @param stopped      why the run stopped sending prompts before the end (the judge was refused), if it did
 * @param notSent      prompts never sent to the canary because the run had stopped
 */
public record SuiteRun(
        PromptSuite suite,
        Evidence evidence,
        Map<String, Evidence> byCategory,
        Map<String, Long> flags,
        List<FlaggedExample> examples,
        int errors,
        List<String> firstErrors,
        Optional<String> stopped,
        int notSent) {
    /** A run that sent every prompt. */
    public SuiteRun(
            PromptSuite suite,
            Evidence evidence,
            Map<String, Evidence> byCategory,
            Map<String, Long> flags,
            List<FlaggedExample> examples,
            int errors,
            List<String> firstErrors) {
        this(suite, evidence, byCategory, flags, examples, errors, firstErrors, Optional.empty(), 0);
    }
}
