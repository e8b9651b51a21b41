package dev.fledge.operator.gates.metric;

import java.util.LinkedHashSet;
import java.util.Map;
import java.util.Set;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * Fills the {@code {{variable}}} placeholders of a PromQL query. Values are escaped for use inside a double-quoted
 * PromQL string; an unknown variable is an error rather than an empty string that would match every series.
 */
public final class QueryTemplate {
    public static final Set<String> VARIABLES =
            Set.of("release", "namespace", "canaryVersion", "stableVersion", "stage", "audience", "interval");
    private static final Pattern PLACEHOLDER = Pattern.compile("\\{\\{\\s*([A-Za-z]+)\\s*}}");

    private final String text;

    public QueryTemplate(String text) {
        this.text = text;
    }

    /** The rendered query; throws {@link IllegalArgumentException} naming the unknown variables. */
    public String render(Map<String, String> values) {
        Matcher m = PLACEHOLDER.matcher(text);
        StringBuilder out = new StringBuilder();
        Set<String> unknown = new LinkedHashSet<>();
        while (m.find()) {
            String name = m.group(1);
            if (!VARIABLES.contains(name)) {
                unknown.add(name);
                continue;
            }
            m.appendReplacement(out, Matcher.quoteReplacement(quote(values.getOrDefault(name, ""))));
        }
        if (!unknown.isEmpty()) {
            throw new IllegalArgumentException("unknown template variable(s) " + unknown + "; known: " + VARIABLES);
        }
        m.appendTail(out);
        return out.toString();
    }

    /** A value escaped for use inside a double-quoted PromQL string (a label matcher's value). */
    public static String quote(String v) {
        return v.replace("\\", "\\\\").replace("\"", "\\\"").replace("\n", "\\n");
    }
}
