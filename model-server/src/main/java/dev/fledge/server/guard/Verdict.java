package dev.fledge.server.guard;

import java.util.List;
import java.util.Map;

/**
 * The guard's judgement of one text.
 *
 * @param categories every policy category, true when it matched
 * @param scores every policy category, 1.0 when it matched, else 0.0 (the policy is rule-based)
 */
public record Verdict(boolean flagged, Map<String, Boolean> categories, Map<String, Double> scores) {

    public List<String> flaggedCategories() {
        return categories.entrySet().stream()
                .filter(Map.Entry::getValue)
                .map(Map.Entry::getKey)
                .toList();
    }
}
