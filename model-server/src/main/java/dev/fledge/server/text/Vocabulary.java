package dev.fledge.server.text;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/** Word-level vocabulary: lower-cased words and punctuation marks. Id 0 is {@value #UNKNOWN}. */
public final class Vocabulary {
    public static final String UNKNOWN = "<unk>";
    private static final Pattern TOKEN = Pattern.compile("[\\p{L}\\p{N}'-]+|[.,!?;:]");
    private static final Pattern NO_SPACE_BEFORE = Pattern.compile("[.,!?;:]");

    private final List<String> tokens;
    private final Map<String, Integer> ids = new HashMap<>();

    public Vocabulary(List<String> tokens) {
        if (tokens.isEmpty() || !UNKNOWN.equals(tokens.get(0))) {
            throw new IllegalArgumentException("vocabulary must start with " + UNKNOWN);
        }
        this.tokens = List.copyOf(tokens);
        for (int i = 0; i < tokens.size(); i++) {
            ids.putIfAbsent(tokens.get(i), i);
        }
    }

    public static Vocabulary read(Path file) throws IOException {
        return new Vocabulary(Files.readAllLines(file, StandardCharsets.UTF_8).stream()
                .filter(line -> !line.isEmpty())
                .toList());
    }

    public void write(Path file) throws IOException {
        Files.write(file, tokens, StandardCharsets.UTF_8);
    }

    /** Splits text into the tokens this vocabulary is made of (also used to build one from a corpus). */
    public static List<String> split(String text) {
        List<String> out = new ArrayList<>();
        Matcher m = TOKEN.matcher(text.toLowerCase(Locale.ROOT));
        while (m.find()) {
            out.add(m.group());
        }
        return out;
    }

    public int size() {
        return tokens.size();
    }

    public int[] encode(String text) {
        return split(text).stream().mapToInt(t -> ids.getOrDefault(t, 0)).toArray();
    }

    public int id(String token) {
        return ids.getOrDefault(token, 0);
    }

    /** One token as {@link #decode} writes it after others (with its space), or as the first one. */
    public String piece(int id, boolean first) {
        String t = tokens.get(id);
        return first || NO_SPACE_BEFORE.matcher(t).matches() ? t : " " + t;
    }

    public String decode(List<Integer> idList) {
        StringBuilder sb = new StringBuilder();
        for (int id : idList) {
            String t = tokens.get(id);
            if (sb.length() > 0 && !NO_SPACE_BEFORE.matcher(t).matches()) {
                sb.append(' ');
            }
            sb.append(t);
        }
        return sb.toString();
    }
}
