package dev.fledge.server.guard;

import java.util.LinkedHashMap;
import java.util.List;

/** Judges text against a policy of categories. Thread-safe and immutable. */
public final class Guard {
    private final List<CategoryRule> rules;

    public Guard(List<CategoryRule> rules) {
        this.rules = List.copyOf(rules);
    }

    public List<CategoryRule> rules() {
        return rules;
    }

    public Verdict judge(String text) {
        var categories = new LinkedHashMap<String, Boolean>();
        var scores = new LinkedHashMap<String, Double>();
        boolean flagged = false;
        for (CategoryRule rule : rules) {
            boolean hit = rule.hits(text) > 0;
            categories.put(rule.name(), hit);
            scores.put(rule.name(), hit ? 1.0 : 0.0);
            flagged |= hit;
        }
        return new Verdict(flagged, categories, scores);
    }
}
