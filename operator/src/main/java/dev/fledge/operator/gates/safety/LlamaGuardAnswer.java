package dev.fledge.operator.gates.safety;

import java.util.LinkedHashSet;
import java.util.List;
import java.util.Locale;
import java.util.Set;

/**
 * Reads a Llama Guard answer: {@code safe}, or {@code unsafe} and on the next line the violated category codes
 * separated by commas ({@code unsafe\nS1,S11}), blank lines and spaces around them allowed. Anything else is not an
 * answer: a {@link ServiceCallFailed} (the output counts as not judged, never as clean). The answer is not quoted in
 * the error: it comes from a server a tenant runs and the text reaches status and events.
 */
final class LlamaGuardAnswer {
    static final String NOT_AN_ANSWER =
            "judge answered neither 'safe' nor 'unsafe' with a line of category codes (Llama Guard's format)";

    private LlamaGuardAnswer() {}

    static Judgement read(String content, LlamaGuardCategories categories) {
        List<String> lines =
                content.lines().map(String::strip).filter(l -> !l.isEmpty()).toList();
        String verdict = lines.isEmpty() ? "" : lines.get(0).toLowerCase(Locale.ROOT);
        if (verdict.equals("safe") && lines.size() == 1) {
            return new Judgement(false, List.of());
        }
        if (!verdict.equals("unsafe") || lines.size() != 2) {
            throw new ServiceCallFailed(NOT_AN_ANSWER);
        }
        Set<String> flagged = new LinkedHashSet<>();
        for (String code : lines.get(1).split(",", -1)) {
            String c = code.strip().toUpperCase(Locale.ROOT);
            if (!LlamaGuardCategories.CODE.matcher(c).matches()) {
                throw new ServiceCallFailed(NOT_AN_ANSWER);
            }
            flagged.add(categories.category(c));
        }
        return new Judgement(true, List.copyOf(flagged));
    }
}
