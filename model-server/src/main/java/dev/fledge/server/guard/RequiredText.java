package dev.fledge.server.guard;

import java.util.ArrayList;
import java.util.HashSet;
import java.util.List;
import java.util.Locale;
import java.util.Set;

/**
 * What text a policy regular expression cannot match without: a set of strings, one of which every match contains.
 * It lets a category skip its expressions on text that holds none of them (most outputs), since Java's regex
 * engine otherwise tries every alternative at every position. The reading is conservative: it understands literal
 * ASCII characters, {@code (?:...)} and {@code (...)} groups, alternation, quantifiers and the escapes {@code \b \B
 * \w \W \d \D \s \S}; for anything else (character classes, inline flags, lookaround, back references, {@code \Q},
 * non-ASCII characters, whose case-insensitive matches are not plain) it says nothing ({@code null}), and the
 * expression always runs. The strings are lower case: the policy's expressions are case-insensitive, so they hold
 * for text without upper-case letters, and only for ASCII text ({@code K}, the Kelvin sign, matches {@code k}).
 */
final class RequiredText {
    private final String regex;
    private int at;
    /** Whether the atom just read may repeat: a repeated literal does not extend a run of literal characters. */
    private boolean repeated;

    private RequiredText(String regex) {
        this.regex = regex;
    }

    /** Strings one of which every match of {@code regex} contains; null when unknown (or when it may match "" ). */
    static Set<String> of(String regex) {
        RequiredText reader = new RequiredText(regex);
        try {
            Set<String> required = reader.alternation();
            return reader.at == regex.length() ? required : null;
        } catch (Unknown e) {
            return null;
        }
    }

    /** {@code a|b|c} up to a closing parenthesis or the end: one of the alternatives' strings, or null. */
    private Set<String> alternation() {
        Set<String> union = new HashSet<>();
        boolean known = true;
        while (true) {
            Set<String> one = sequence();
            if (one == null) {
                known = false;
            } else {
                union.addAll(one);
            }
            if (at < regex.length() && regex.charAt(at) == '|') {
                at++;
            } else {
                return known ? union : null;
            }
        }
    }

    /**
     * A sequence of atoms: any mandatory atom's strings are required, as are runs of mandatory literal characters.
     * The best requirement is kept (the one whose shortest string is longest: the rarest in text).
     */
    private Set<String> sequence() {
        Set<String> best = null;
        StringBuilder run = new StringBuilder();
        while (at < regex.length() && regex.charAt(at) != '|' && regex.charAt(at) != ')') {
            Atom atom = atom();
            int min = quantifier();
            if (atom.literal != 0 && min == 1 && !repeated) {
                run.append(atom.literal);
                continue;
            }
            best = better(best, run);
            run.setLength(0);
            if (min >= 1 && atom.required != null) {
                best = better(best, atom.required);
            }
        }
        return better(best, run);
    }

    private static Set<String> better(Set<String> best, CharSequence run) {
        return run.isEmpty() ? best : better(best, Set.of(run.toString()));
    }

    private static Set<String> better(Set<String> best, Set<String> candidate) {
        if (best == null || shortest(candidate) > shortest(best)) {
            return candidate;
        }
        return best;
    }

    private static int shortest(Set<String> strings) {
        return strings.stream().mapToInt(s -> longestWord(s).length()).min().orElse(0);
    }

    /** One atom: a literal character, a group, or a character type; zero-width assertions are atoms too. */
    private Atom atom() {
        char c = regex.charAt(at++);
        switch (c) {
            case '(' -> {
                if (regex.startsWith("?:", at)) {
                    at += 2;
                } else if (at < regex.length() && regex.charAt(at) == '?') {
                    throw new Unknown(); // inline flags, lookaround, named or atomic groups
                }
                Set<String> inside = alternation();
                if (at >= regex.length() || regex.charAt(at) != ')') {
                    throw new Unknown();
                }
                at++;
                return new Atom((char) 0, inside);
            }
            case '\\' -> {
                if (at >= regex.length() || "bBwWdDsS".indexOf(regex.charAt(at)) < 0) {
                    throw new Unknown();
                }
                at++;
                return new Atom((char) 0, null);
            }
            case '.', '^', '$' -> {
                return new Atom((char) 0, null);
            }
            case '[', '{', '}', ')', '?', '*', '+', '|', '#' -> throw new Unknown();
            default -> {
                if (c >= 0x80 || Character.isISOControl(c)) {
                    throw new Unknown();
                }
                String lower = String.valueOf(c).toLowerCase(Locale.ROOT);
                return new Atom(lower.charAt(0), Set.of(lower));
            }
        }
    }

    /**
     * The quantifier after an atom, if any: the least number of times the atom must occur (1 without one).
     * Sets {@link #repeated} when it may occur more than once, which ends a run of literal characters.
     */
    private int quantifier() {
        repeated = false;
        if (at >= regex.length()) {
            return 1;
        }
        int min;
        char c = regex.charAt(at);
        if (c == '?' || c == '*' || c == '+') {
            at++;
            min = c == '+' ? 1 : 0;
            repeated = c != '?';
        } else if (c == '{') {
            int close = regex.indexOf('}', at);
            if (close < 0) {
                throw new Unknown();
            }
            String[] bounds = regex.substring(at + 1, close).split(",", -1);
            try {
                min = Integer.parseInt(bounds[0]);
                repeated = bounds.length > 1 || min > 1;
                if (bounds.length > 2
                        || (bounds.length == 2 && !bounds[1].isEmpty() && Integer.parseInt(bounds[1]) < min)) {
                    throw new Unknown();
                }
            } catch (NumberFormatException e) {
                throw new Unknown();
            }
            at = close + 1;
        } else {
            return 1;
        }
        if (at < regex.length() && (regex.charAt(at) == '?' || regex.charAt(at) == '+')) {
            at++; // lazy or possessive: the same least count
        }
        return min;
    }

    private record Atom(char literal, Set<String> required) {}

    /** Syntax this reader does not follow: nothing is known about the expression. */
    private static final class Unknown extends RuntimeException {
        Unknown() {
            super(null, null, false, false);
        }
    }

    /**
     * For the expressions of a category: words (stretches without a space) of which text must hold one before any of
     * the expressions can match, once the exceptions have replaced parts of it with spaces; null when unknown.
     */
    static List<String> wordsOfAll(List<String> regexes) {
        List<String> all = new ArrayList<>();
        for (String regex : regexes) {
            Set<String> required = of(regex);
            if (required == null || required.isEmpty() || shortest(required) == 0) {
                return null;
            }
            required.forEach(r -> all.add(longestWord(r)));
        }
        return all;
    }

    /** The longest stretch of {@code s} without a space. */
    static String longestWord(String s) {
        String longest = "";
        for (String word : s.split(" ")) {
            if (word.length() > longest.length()) {
                longest = word;
            }
        }
        return longest;
    }
}
