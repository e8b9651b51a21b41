package dev.fledge.e2e.docs;

import java.util.Map;
import java.util.Set;
import java.util.TreeSet;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/** Chart value paths named in prose ({@code `serviceMonitor.enabled=true`}, {@code --set a.b=c}). */
final class ChartValuePaths {
    private static final Pattern BACKTICKED =
            Pattern.compile("`([a-z][A-Za-z0-9]*(?:\\.[A-Za-z0-9]+)+)(?:[=:][^`]*)?`");
    private static final Pattern SET_FLAG =
            Pattern.compile("--set(?:-string|-file)? ([a-z][A-Za-z0-9]*(?:\\.[A-Za-z0-9]+)*)=");

    private ChartValuePaths() {}

    static Set<String> mentionedIn(String text, Set<String> topLevelKeys) {
        Set<String> paths = new TreeSet<>();
        for (Pattern p : new Pattern[] {BACKTICKED, SET_FLAG}) {
            Matcher m = p.matcher(text);
            while (m.find()) {
                String path = m.group(1);
                if (topLevelKeys.contains(path.split("\\.")[0])) {
                    paths.add(path);
                }
            }
        }
        return paths;
    }

    /** True when the path walks values.yaml; below an empty map (free-form labels, env) anything goes. */
    static boolean resolves(Map<String, Object> values, String path) {
        Object node = values;
        for (String segment : path.split("\\.")) {
            if (!(node instanceof Map<?, ?> map)) {
                return false;
            }
            if (map.isEmpty()) {
                return true;
            }
            if (!map.containsKey(segment)) {
                return false;
            }
            node = map.get(segment);
        }
        return true;
    }
}
