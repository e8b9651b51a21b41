package dev.fledge.e2e.bench;

import java.util.HashMap;
import java.util.Map;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/** Benchmark harness: one Prometheus text exposition, summed by the labels a table needs. */
final class Scrape {
    private static final Pattern LINE = Pattern.compile("^([a-zA-Z_:][a-zA-Z0-9_:]*)(\\{(.*)})?\\s+(\\S+)");
    private static final Pattern LABEL = Pattern.compile("([a-zA-Z_][a-zA-Z0-9_]*)=\"((?:[^\"\\\\]|\\\\.)*)\"");
    private final String text;

    Scrape(String text) {
        this.text = text;
    }

    /** Values of {@code metric}, summed by the values of {@code labels} (joined with a space). */
    Map<String, Double> sumBy(String metric, String... labels) {
        Map<String, Double> out = new HashMap<>();
        for (String line : text.split("\n")) {
            Matcher m = LINE.matcher(line);
            if (line.startsWith("#") || !m.find() || !m.group(1).equals(metric)) {
                continue;
            }
            Map<String, String> found = new HashMap<>();
            Matcher l = LABEL.matcher(m.group(3) == null ? "" : m.group(3));
            while (l.find()) {
                found.put(l.group(1), l.group(2));
            }
            StringBuilder key = new StringBuilder();
            for (String label : labels) {
                key.append(key.length() == 0 ? "" : " ").append(found.getOrDefault(label, ""));
            }
            out.merge(key.toString(), Double.parseDouble(m.group(4)), Double::sum);
        }
        return out;
    }

    /** {@code after - before} for each key. */
    static Map<String, Double> delta(Map<String, Double> before, Map<String, Double> after) {
        Map<String, Double> out = new HashMap<>();
        after.forEach((k, v) -> out.put(k, v - before.getOrDefault(k, 0.0)));
        return out;
    }
}
