package dev.fledge.server.guard;

import java.text.Normalizer;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.List;
import java.util.Locale;
import java.util.Set;
import java.util.regex.Pattern;

/**
 * Puts text into the one form the guard matches on, so that simple obfuscation does not hide a word:
 * <ol>
 * <li>accents are dropped and letters lower-cased ({@code KíLL} → {@code kill});</li>
 * <li>sentence punctuation around a word is dropped;</li>
 * <li>inside a word that has letters, digits and symbols that stand for letters are read as those letters
 *     ({@code 0→o 1→i 3→e 4→a 5→s 7→t 8→b @→a $→s !→i |→l +→t}) and any other character is dropped
 *     ({@code k.i.l.l}, {@code m_u_r_d_e_r}, {@code k1ll3d}); tokens without letters ({@code -9}, {@code 1916})
 *     stay as they are;</li>
 * <li>a letter repeated three or more times is one letter ({@code staaaab}), or two when that makes a word of the
 *     policy ({@code shoooot});</li>
 * <li>three or more single letters in a row are one word ({@code k i l l} → {@code kill}); when such a run holds
 *     a word of the policy, that word is split out ({@code a m a s s a c r e} → {@code a massacre}).</li>
 * </ol>
 * The result is the normalised words joined by single spaces: whole words are matched on it.
 */
final class TextNormaliser {
    private static final Pattern MARKS = Pattern.compile("\\p{M}+");
    private static final Pattern WHITESPACE = Pattern.compile("\\s+");
    private static final String LEADING = "\"'([{<`“‘«";
    private static final String TRAILING = ".,;:!?\"')]}>`”’»…";
    private static final String LEET_FROM = "0134578@$!|+";
    private static final String LEET_TO = "oieastbasilt";
    private static final int MIN_RUN = 3;
    private static final Pattern STRETCHED = Pattern.compile("(\\p{L})\\1{2,}");

    private final List<String> known;

    /** @param known the policy's words, split out of runs of single letters (longest first) */
    TextNormaliser(Set<String> known) {
        this.known = known.stream()
                .filter(w -> w.length() >= 3 && !w.contains(" "))
                .sorted(Comparator.comparingInt(String::length).reversed())
                .toList();
    }

    /** One word of a policy list in the same form (without the run splitting). */
    static String word(String word) {
        List<String> tokens = new ArrayList<>();
        for (String raw : WHITESPACE.split(fold(word))) {
            String token = character(raw);
            if (!token.isEmpty()) {
                tokens.add(token);
            }
        }
        return String.join(" ", tokens);
    }

    String normalise(String text) {
        List<String> out = new ArrayList<>();
        List<String> run = new ArrayList<>();
        for (String raw : WHITESPACE.split(fold(text))) {
            String token = token(raw);
            if (token.isEmpty()) {
                continue;
            }
            if (token.length() == 1 && Character.isLetter(token.charAt(0))) {
                run.add(token);
                continue;
            }
            flush(run, out);
            out.add(token);
        }
        flush(run, out);
        return String.join(" ", out);
    }

    private static String fold(String text) {
        return MARKS.matcher(Normalizer.normalize(text, Normalizer.Form.NFKD))
                .replaceAll("")
                .toLowerCase(Locale.ROOT);
    }

    private String token(String raw) {
        return unstretch(character(raw));
    }

    /** {@code kiiill} → {@code kill}: runs of three or more letters become one, or two when that is a known word. */
    private String unstretch(String token) {
        if (!STRETCHED.matcher(token).find()) {
            return token;
        }
        String two = STRETCHED.matcher(token).replaceAll("$1$1");
        return known.contains(two) ? two : STRETCHED.matcher(token).replaceAll("$1");
    }

    private static String character(String raw) {
        int from = 0;
        int to = raw.length();
        while (from < to && LEADING.indexOf(raw.charAt(from)) >= 0) {
            from++;
        }
        while (to > from && TRAILING.indexOf(raw.charAt(to - 1)) >= 0) {
            to--;
        }
        String token = raw.substring(from, to);
        if (token.chars().noneMatch(Character::isLetter)) {
            return token;
        }
        StringBuilder word = new StringBuilder(token.length());
        for (int i = 0; i < token.length(); i++) {
            char c = token.charAt(i);
            int leet = LEET_FROM.indexOf(c);
            if (leet >= 0) {
                word.append(LEET_TO.charAt(leet));
            } else if (Character.isLetterOrDigit(c)) {
                word.append(c);
            }
        }
        return word.toString();
    }

    /** Single letters: kept apart when fewer than three, else joined, with known words split out. */
    private void flush(List<String> run, List<String> out) {
        if (run.size() < MIN_RUN) {
            out.addAll(run);
        } else {
            split(String.join("", run), out);
        }
        run.clear();
    }

    private void split(String joined, List<String> out) {
        for (String word : known) {
            int at = joined.indexOf(word);
            if (at >= 0) {
                if (at > 0) {
                    split(joined.substring(0, at), out);
                }
                out.add(word);
                if (at + word.length() < joined.length()) {
                    split(joined.substring(at + word.length()), out);
                }
                return;
            }
        }
        out.add(joined);
    }
}
