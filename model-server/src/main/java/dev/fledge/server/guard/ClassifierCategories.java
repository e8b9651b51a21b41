package dev.fledge.server.guard;

import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Optional;
import java.util.regex.Pattern;

/**
 * Reads a Llama Guard answer into a {@link Verdict}: {@code safe}, or {@code unsafe} and on the next line the violated
 * category codes separated by commas ({@code unsafe\nS1,S11}); blank lines and spaces around them are allowed. Each
 * code counts under the name {@code fledge.guard.judge.categories} gives it, else under its own. Anything else is no
 * answer (empty): the output counts as not judged, never as safe. The operator's suite judge reads answers by the
 * same rules.
 */
public final class ClassifierCategories {
    static final Pattern CODE = Pattern.compile("S[0-9]{1,3}");
    private static final Pattern NAME = Pattern.compile("[a-z0-9][a-z0-9/_-]{0,62}");

    private final Map<String, String> names;

    ClassifierCategories(Map<String, String> names) {
        this.names = Map.copyOf(names);
    }

    /** From {@code S1=violence,S11=self-harm}; throws {@link IllegalArgumentException} naming a bad entry. */
    public static ClassifierCategories parse(Optional<String> spec) {
        Map<String, String> names = new LinkedHashMap<>();
        for (String entry : spec.orElse("").split(",")) {
            if (entry.isBlank()) {
                continue;
            }
            String[] kv = entry.split("=", 2);
            String code = kv[0].strip();
            String name = kv.length == 2 ? kv[1].strip() : "";
            if (!CODE.matcher(code).matches() || !NAME.matcher(name).matches()) {
                throw new IllegalArgumentException("fledge.guard.judge.categories: '" + entry.strip()
                        + "' is not CODE=name (a code S<number>, a name of lower case letters, digits, -, _, /)");
            }
            names.put(code, name);
        }
        return new ClassifierCategories(names);
    }

    /** The names a mapped code counts as, to publish their series at 0 from the start. */
    public List<String> names() {
        return names.values().stream().distinct().sorted().toList();
    }

    /** The verdict of one answer, or empty when it is not one. */
    public Optional<Verdict> read(String content) {
        List<String> lines =
                content.lines().map(String::strip).filter(l -> !l.isEmpty()).toList();
        String verdict = lines.isEmpty() ? "" : lines.get(0).toLowerCase(Locale.ROOT);
        if (verdict.equals("safe") && lines.size() == 1) {
            return Optional.of(new Verdict(false, Map.of(), Map.of()));
        }
        if (!verdict.equals("unsafe") || lines.size() != 2) {
            return Optional.empty();
        }
        Map<String, Boolean> categories = new LinkedHashMap<>();
        Map<String, Double> scores = new LinkedHashMap<>();
        for (String raw : lines.get(1).split(",", -1)) {
            String code = raw.strip().toUpperCase(Locale.ROOT);
            if (!CODE.matcher(code).matches()) {
                return Optional.empty();
            }
            String name = names.getOrDefault(code, code);
            categories.put(name, true);
            scores.put(name, 1.0);
        }
        return Optional.of(new Verdict(true, categories, scores));
    }
}
