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
 * code counts under the name {@code fledge.guard.judge.categories} gives it. An answer that starts neither way is no
 * answer (empty): the output counts as not judged, never as safe.
 */
public final class ClassifierCategories {
    static final Pattern CODE = Pattern.compile("S[0-9]{1,3}");
    /** An {@code unsafe} answer whose codes cannot be read. */
    public static final String UNPARSED = "unparsed";
    /** A code the mapping does not name. */
    public static final String UNMAPPED = "unmapped";

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

    /** Every name an answer can count under, to publish their series at 0 from the start. */
    public List<String> names() {
        return java.util.stream.Stream.concat(names.values().stream(), java.util.stream.Stream.of(UNMAPPED, UNPARSED))
                .distinct()
                .sorted()
                .toList();
    }

    /**
     * The verdict of one answer, or empty when it is not one. A first line {@code unsafe} is always a flagged verdict,
     * whatever follows: a code that is not {@code S<number>} or a missing code line counts as {@link #UNPARSED}. A code
     * no entry maps counts as {@link #UNMAPPED}, so that a judge cannot mint a series per code.
     */
    public Optional<Verdict> read(String content) {
        List<String> lines =
                content.lines().map(String::strip).filter(l -> !l.isEmpty()).toList();
        String verdict = lines.isEmpty() ? "" : lines.get(0).toLowerCase(Locale.ROOT);
        if (verdict.equals("safe") && lines.size() == 1) {
            return Optional.of(new Verdict(false, Map.of(), Map.of()));
        }
        if (!verdict.equals("unsafe")) {
            return Optional.empty();
        }
        Map<String, Boolean> categories = new LinkedHashMap<>();
        Map<String, Double> scores = new LinkedHashMap<>();
        String[] codes = lines.size() == 2 ? lines.get(1).split(",", -1) : new String[] {""};
        for (String raw : codes) {
            String name = name(raw.strip().toUpperCase(Locale.ROOT));
            categories.put(name, true);
            scores.put(name, 1.0);
        }
        return Optional.of(new Verdict(true, categories, scores));
    }

    private String name(String code) {
        if (!CODE.matcher(code).matches()) {
            return UNPARSED;
        }
        String normal = "S" + Integer.parseInt(code.substring(1)); // S011 is S11
        return names.getOrDefault(normal, UNMAPPED);
    }
}
