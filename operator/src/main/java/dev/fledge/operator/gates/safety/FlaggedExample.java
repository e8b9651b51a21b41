package dev.fledge.operator.gates.safety;

import java.util.List;

/**
 * One flagged output of a suite run, kept as evidence: the prompt and the output, each truncated.
 *
 * @param category   the prompt's category in the suite
 * @param judgeFlags the categories the judge flagged
 */
public record FlaggedExample(String promptId, String category, List<String> judgeFlags, String prompt, String output) {

    /** One line for a status reason or an event: {@code id [flags] prompt => output}. */
    public String line() {
        return promptId + " [" + String.join(",", judgeFlags) + "] " + prompt + " => " + output;
    }
}
