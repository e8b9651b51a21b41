package dev.fledge.server.guard;

import com.fasterxml.jackson.annotation.JsonIgnoreProperties;
import java.util.List;

/** The YAML shape of a guard policy (see {@code default-policy.yaml}). */
@JsonIgnoreProperties(ignoreUnknown = false)
public record PolicyFile(List<Category> categories) {

    public record Category(String name, Severity severity, List<String> words, List<String> patterns) {
        CategoryRule compile() {
            return new CategoryRule(name, severity, words == null ? List.of() : words,
                    patterns == null ? List.of() : patterns);
        }
    }

    Guard compile() {
        if (categories == null || categories.isEmpty()) {
            throw new IllegalArgumentException("guard policy has no categories");
        }
        return new Guard(categories.stream().map(Category::compile).toList());
    }
}
