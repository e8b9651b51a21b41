package dev.fledge.operator.gates.safety;

import java.util.List;

/**
 * One flagged output of a suite run, kept as evidence: the prompt and the output, each truncated.
 *
 * @param category   the prompt's category in the suite
 * @param judgeFlags the categories the judge flagged
 */
public record FlaggedExample(String promptId, String category, List<String> judgeFlags, String prompt, String output) {
    /**
     * What precedes the examples in a safety gate's reason; they run to the end of the reason. Webhooks cut the
     * reason there unless asked for the examples ({@code Notification.withoutFlaggedExamples}).
     */
    public static final String IN_REASON = "; first flagged: ";

    /** One line for a status reason or an event: {@code id [flags] prompt => output}. */
    public String line() {
        return promptId + " [" + String.join(",", judgeFlags) + "] " + prompt + " => " + output;
    }
}
