package dev.fledge.server.guard;

import com.fasterxml.jackson.annotation.JsonIgnoreProperties;
import java.util.List;

/** The YAML shape of a guard policy (see {@code default-policy.yaml}). */
@JsonIgnoreProperties(ignoreUnknown = false)
public record PolicyFile(List<Category> categories) {

    public record Category(
            String name,
            Severity severity,
            List<String> words,
            List<String> patterns,
            List<String> exceptions,
            List<String> contexts) {
        CategoryRule compile() {
            return new CategoryRule(
                    name,
                    severity,
                    CategoryRule.orEmpty(words),
                    CategoryRule.orEmpty(patterns),
                    CategoryRule.orEmpty(exceptions),
                    CategoryRule.orEmpty(contexts));
        }
    }

    Guard compile() {
        if (categories == null || categories.isEmpty()) {
            throw new IllegalArgumentException("guard policy has no categories");
        }
        return new Guard(categories.stream().map(Category::compile).toList());
    }
}
