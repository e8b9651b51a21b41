package dev.fledge.server.guard;

import java.util.List;
import java.util.Objects;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import java.util.stream.Collectors;

/** One policy category compiled into a single case-insensitive matcher (whole words, plus raw patterns). */
public final class CategoryRule {
    private final String name;
    private final Severity severity;
    private final Pattern pattern;

    public CategoryRule(String name, Severity severity, List<String> words, List<String> patterns) {
        this.name = Objects.requireNonNull(name, "category name");
        this.severity = Objects.requireNonNull(severity, "severity of category " + name);
        if (words.isEmpty() && patterns.isEmpty()) {
            throw new IllegalArgumentException("category " + name + " has neither words nor patterns");
        }
        this.pattern = compile(words, patterns);
    }

    private static Pattern compile(List<String> words, List<String> patterns) {
        var alternatives = new java.util.ArrayList<String>();
        if (!words.isEmpty()) {
            alternatives.add("\\b(?:" + words.stream().map(Pattern::quote).collect(Collectors.joining("|")) + ")\\b");
        }
        patterns.forEach(p -> alternatives.add("(?:" + p + ")"));
        return Pattern.compile(String.join("|", alternatives), Pattern.CASE_INSENSITIVE | Pattern.UNICODE_CASE);
    }

    public String name() {
        return name;
    }

    public Severity severity() {
        return severity;
    }

    /** Number of non-overlapping matches in the text. */
    public int hits(String text) {
        Matcher m = pattern.matcher(text);
        int n = 0;
        while (m.find()) {
            n++;
        }
        return n;
    }
}
