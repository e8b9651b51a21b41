package dev.fledge.server.guard;

import java.util.ArrayList;
import java.util.List;
import java.util.Objects;
import java.util.Set;
import java.util.TreeSet;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import java.util.stream.Collectors;

/**
 * One policy category, matched on normalised text ({@link TextNormaliser}):
 * <ul>
 * <li>{@code words}: whole words (or phrases of whole words);</li>
 * <li>{@code patterns}: regular expressions over the normalised text (lower case, words joined by one space);</li>
 * <li>{@code exceptions}: regular expressions of benign uses ({@code kill -9}, {@code bath bomb}); what they match
 *     is taken out before the words and patterns are looked for;</li>
 * <li>{@code contexts}: words or phrases of a benign context (a crisis line, a history lesson); when one is in the
 *     text, the category's words no longer count, its patterns still do.</li>
 * </ul>
 */
public final class CategoryRule {
    private final String name;
    private final Severity severity;
    private final Set<String> words;
    private final Pattern phrases;
    private final Pattern patterns;
    private final Pattern exceptions;
    private final Pattern contexts;
    /** Words of which plain text must hold one for this category to match; null when the patterns say nothing. */
    private final List<String> triggers;

    public CategoryRule(String name, Severity severity, List<String> words, List<String> patterns) {
        this(name, severity, words, patterns, List.of(), List.of());
    }

    public CategoryRule(
            String name,
            Severity severity,
            List<String> words,
            List<String> patterns,
            List<String> exceptions,
            List<String> contexts) {
        this.name = Objects.requireNonNull(name, "category name");
        this.severity = Objects.requireNonNull(severity, "severity of category " + name);
        if (words.isEmpty() && patterns.isEmpty()) {
            throw new IllegalArgumentException("category " + name + " has neither words nor patterns");
        }
        List<String> normalised = words.stream()
                .map(TextNormaliser::word)
                .filter(w -> !w.isEmpty())
                .toList();
        this.words = normalised.stream().filter(w -> !w.contains(" ")).collect(Collectors.toUnmodifiableSet());
        this.phrases =
                wholeWords(normalised.stream().filter(w -> w.contains(" ")).toList());
        this.patterns = regex(patterns);
        this.exceptions = regex(exceptions);
        this.contexts = wholeWords(contexts.stream().map(TextNormaliser::word).toList());
        this.triggers = triggers(normalised, RequiredText.wordsOfAll(patterns));
    }

    /**
     * Each single word, each phrase (by its longest word) and what each pattern requires ({@link RequiredText}),
     * leaving out words that hold another: if the text holds none, nothing can match. The exceptions only replace
     * parts of the text with spaces, so what is left of a word stays a part of the text as it came.
     */
    private static List<String> triggers(List<String> words, List<String> required) {
        if (required == null) {
            return null;
        }
        Set<String> all = new TreeSet<>(required);
        words.forEach(w -> all.add(RequiredText.longestWord(w)));
        all.remove("");
        return all.stream()
                .filter(w -> all.stream().noneMatch(other -> !other.equals(w) && w.contains(other)))
                .toList();
    }

    private static Pattern wholeWords(List<String> phrases) {
        return phrases.isEmpty()
                ? null
                : Pattern.compile("(?<![a-z0-9])(?:"
                        + phrases.stream().map(Pattern::quote).collect(Collectors.joining("|")) + ")(?![a-z0-9])");
    }

    private static Pattern regex(List<String> list) {
        return list.isEmpty()
                ? null
                : Pattern.compile(
                        list.stream().map(p -> "(?:" + p + ")").collect(Collectors.joining("|")),
                        Pattern.CASE_INSENSITIVE | Pattern.UNICODE_CASE);
    }

    public String name() {
        return name;
    }

    public Severity severity() {
        return severity;
    }

    /** The single words of the list, normalised (the normaliser splits them out of runs of letters). */
    Set<String> words() {
        return words;
    }

    /**
     * Whether {@link #hits} would be above zero, faster (package-private: {@code plain} must be {@link #plain} of the
     * same {@code normalised} text, as {@link Guard#judge} computes it): on plain text (ASCII without upper case, which the policy's
     * case-insensitive expressions match as written) that holds none of the triggers nothing is matched at all, and
     * the contexts are looked for only when a word or phrase is found.
     */
    boolean matches(String normalised, boolean plain) {
        if (plain && triggers != null && !holdsAny(normalised, triggers)) {
            return false;
        }
        String text =
                exceptions == null ? normalised : exceptions.matcher(normalised).replaceAll(" ");
        if (patterns != null && patterns.matcher(text).find()) {
            return true;
        }
        if ((phrases == null || !phrases.matcher(text).find()) && !anyWord(text)) {
            return false;
        }
        return contexts == null || !contexts.matcher(normalised).find();
    }

    /** Whether {@link #matches} may skip the expressions: ASCII without upper-case letters. */
    public static boolean plain(String text) {
        for (int i = 0; i < text.length(); i++) {
            char c = text.charAt(i);
            if (c >= 0x80 || (c >= 'A' && c <= 'Z')) {
                return false;
            }
        }
        return true;
    }

    private static boolean holdsAny(String text, List<String> words) {
        for (String word : words) {
            if (text.contains(word)) {
                return true;
            }
        }
        return false;
    }

    private boolean anyWord(String text) {
        for (String token : text.split(" ")) {
            if (words.contains(token)) {
                return true;
            }
        }
        return false;
    }

    /** Number of matches in normalised text (see {@link TextNormaliser}). */
    public int hits(String normalised) {
        String text =
                exceptions == null ? normalised : exceptions.matcher(normalised).replaceAll(" ");
        int n = count(patterns, text);
        if (contexts != null && contexts.matcher(normalised).find()) {
            return n;
        }
        n += count(phrases, text);
        for (String token : text.split(" ")) {
            if (words.contains(token)) {
                n++;
            }
        }
        return n;
    }

    private static int count(Pattern pattern, String text) {
        if (pattern == null) {
            return 0;
        }
        Matcher m = pattern.matcher(text);
        int n = 0;
        while (m.find()) {
            n++;
        }
        return n;
    }

    static List<String> orEmpty(List<String> list) {
        return list == null ? List.of() : new ArrayList<>(list);
    }
}
