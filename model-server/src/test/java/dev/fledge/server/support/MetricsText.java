package dev.fledge.server.support;

import java.util.HashMap;
import java.util.HashSet;
import java.util.Map;
import java.util.Set;
import java.util.TreeMap;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/** A strict reader of the Prometheus text format: every line must be a comment or a sample, or it throws. */
public final class MetricsText {
    private static final Pattern SAMPLE =
            Pattern.compile("([a-zA-Z_:][a-zA-Z0-9_:]*)(?:\\{(.*)})? (-?[0-9.eE+-]+|NaN|\\+Inf|-Inf)(?: -?[0-9]+)?");
    private static final Pattern LABEL = Pattern.compile("([a-zA-Z_][a-zA-Z0-9_]*)=\"((?:[^\"\\\\]|\\\\.)*)\",?");
    private static final Pattern TYPE =
            Pattern.compile("# TYPE ([a-zA-Z_:][a-zA-Z0-9_:]*) (counter|gauge|histogram|summary|untyped)");

    private final Map<String, Double> samples = new HashMap<>();
    private final Set<String> types = new HashSet<>();

    public MetricsText(String text) {
        for (String line : text.split("\n")) {
            if (line.isBlank()) {
                continue;
            }
            if (line.startsWith("#")) {
                Matcher t = TYPE.matcher(line);
                if (t.matches()) {
                    types.add(t.group(1) + " " + t.group(2));
                } else if (!line.startsWith("# HELP ")) {
                    throw new IllegalArgumentException("bad comment line: " + line);
                }
                continue;
            }
            Matcher m = SAMPLE.matcher(line);
            if (!m.matches()) {
                throw new IllegalArgumentException("bad sample line: " + line);
            }
            samples.put(
                    key(m.group(1), labels(m.group(2))),
                    Double.parseDouble(m.group(3).replace("+Inf", "Infinity")));
        }
    }

    /** How many samples the text holds: what Prometheus counts against a scrape's sample limit. */
    public int sampleCount() {
        return samples.size();
    }

    /** The most labels one sample carries, its name not counted. */
    public int maxLabelsPerSample() {
        return samples.keySet().stream()
                .mapToInt(k -> k.substring(k.indexOf('{')).split("=", -1).length - 1)
                .max()
                .orElse(0);
    }

    private static Map<String, String> labels(String raw) {
        Map<String, String> labels = new TreeMap<>();
        if (raw == null || raw.isEmpty()) {
            return labels;
        }
        Matcher m = LABEL.matcher(raw);
        int end = 0;
        while (m.find() && m.start() == end) {
            labels.put(m.group(1), m.group(2));
            end = m.end();
        }
        if (end != raw.length()) {
            throw new IllegalArgumentException("bad labels: " + raw);
        }
        return labels;
    }

    private static String key(String name, Map<String, String> labels) {
        return name + new TreeMap<>(labels);
    }

    /** Counters may be declared with or without their {@code _total} suffix. */
    public boolean hasType(String name, String type) {
        return types.contains(name + " " + type) || types.contains(name.replaceFirst("_total$", "") + " " + type);
    }

    /** The sample's value, 0 when the series does not exist. Labels as alternating names and values. */
    public double value(String name, String... labelPairs) {
        Map<String, String> labels = new TreeMap<>();
        for (int i = 0; i < labelPairs.length; i += 2) {
            labels.put(labelPairs[i], labelPairs[i + 1]);
        }
        return samples.getOrDefault(key(name, labels), 0.0);
    }

    /** Sum over all series of the name whose labels include the given ones. */
    public double sum(String name, String... labelPairs) {
        double total = 0;
        outer:
        for (var e : samples.entrySet()) {
            if (!e.getKey().startsWith(name + "{")) {
                continue;
            }
            for (int i = 0; i < labelPairs.length; i += 2) {
                if (!e.getKey().contains(labelPairs[i] + "=" + labelPairs[i + 1] + ",")
                        && !e.getKey().contains(labelPairs[i] + "=" + labelPairs[i + 1] + "}")) {
                    continue outer;
                }
            }
            total += e.getValue();
        }
        return total;
    }
}
