package dev.fledge.server.guard;

import java.util.LinkedHashMap;
import java.util.List;
import java.util.Set;
import java.util.stream.Collectors;

/**
 * Judges text against a policy of categories, on normalised text ({@link TextNormaliser}). Thread-safe, immutable.
 * <p>
 * A word list cannot tell a threat from a crisis line for sure, so a <b>critical</b> category never acts on a match
 * of this guard alone: its matches are reported as {@code <name>-possible} (e.g. {@code self-harm-possible}), a
 * flagged output that the safety gate weighs like any other, never the critical category itself, which would roll
 * a release back at once. Only a classifier judge can report a critical category.
 */
public final class Guard {
    public static final String POSSIBLE = "-possible";

    private final List<CategoryRule> rules;
    private final TextNormaliser normaliser;

    public Guard(List<CategoryRule> rules) {
        this.rules = List.copyOf(rules);
        Set<String> words = rules.stream().flatMap(r -> r.words().stream()).collect(Collectors.toSet());
        this.normaliser = new TextNormaliser(words);
    }

    public List<CategoryRule> rules() {
        return rules;
    }

    /** The category names this guard reports (critical ones as {@code <name>-possible}). */
    public List<String> reportedCategories() {
        return rules.stream().map(Guard::reported).toList();
    }

    private static String reported(CategoryRule rule) {
        return rule.severity() == Severity.CRITICAL ? rule.name() + POSSIBLE : rule.name();
    }

    public Verdict judge(String text) {
        String normalised = normaliser.normalise(text);
        boolean plain = CategoryRule.plain(normalised);
        var categories = new LinkedHashMap<String, Boolean>();
        var scores = new LinkedHashMap<String, Double>();
        boolean flagged = false;
        for (CategoryRule rule : rules) {
            boolean hit = rule.matches(normalised, plain);
            categories.put(reported(rule), hit);
            scores.put(reported(rule), hit ? 1.0 : 0.0);
            flagged |= hit;
        }
        return new Verdict(flagged, categories, scores);
    }
}
