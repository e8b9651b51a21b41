package dev.fledge.e2e.bench;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import dev.fledge.api.status.ModelReleaseStatus;
import dev.fledge.core.rollout.GateVerdict;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.TreeMap;
import java.util.TreeSet;

/**
 * Benchmark harness: what each status write changed, from the statuses one release showed in order. A write is named
 * by the status fields it changed (e.g. {@code conditions,message,stage,stageStartedAt}); {@code gates} says whether
 * it put an "evaluating" placeholder in ({@code gates+evaluating}) or took one out ({@code gates-evaluating}). Counted
 * over every release, so that the writes left per transition can be told apart by cause.
 */
final class StatusChanges {
    private static final ObjectMapper JSON = new ObjectMapper();
    private final Map<String, Long> counts;

    private StatusChanges(Map<String, Long> counts) {
        this.counts = counts;
    }

    /** {@code releases}: each release's statuses in the order seen; a release's first has nothing to compare with. */
    static StatusChanges of(List<List<ModelReleaseStatus>> releases) {
        Map<String, Long> counts = new TreeMap<>();
        for (List<ModelReleaseStatus> seen : releases) {
            for (int i = 1; i < seen.size(); i++) {
                counts.merge(changed(seen.get(i - 1), seen.get(i)), 1L, Long::sum);
            }
        }
        return new StatusChanges(counts);
    }

    /** The top-level fields whose JSON differs between {@code before} and {@code after}, sorted, comma-separated. */
    static String changed(ModelReleaseStatus before, ModelReleaseStatus after) {
        JsonNode a = JSON.valueToTree(before);
        JsonNode b = JSON.valueToTree(after);
        TreeSet<String> fields = new TreeSet<>();
        a.fieldNames().forEachRemaining(fields::add);
        b.fieldNames().forEachRemaining(fields::add);
        List<String> names = new ArrayList<>();
        for (String f : fields) {
            if (a.path(f).equals(b.path(f))) {
                continue;
            }
            if (f.equals("gates")) {
                boolean was = evaluating(before);
                boolean is = evaluating(after);
                names.add(was == is ? "gates" : is ? "gates+evaluating" : "gates-evaluating");
            } else if (f.equals("conditions")) {
                TreeSet<String> types = changedTypes(a.path(f), b.path(f));
                names.add("conditions[" + (types.isEmpty() ? "order" : String.join(" ", types)) + "]");
            } else {
                names.add(f);
            }
        }
        return names.isEmpty() ? "(nothing: an edit of the release)" : String.join(",", names);
    }

    /** The {@code type}s of the conditions that differ (added, removed or changed) between two lists. */
    private static TreeSet<String> changedTypes(JsonNode before, JsonNode after) {
        Map<String, JsonNode> a = byType(before);
        Map<String, JsonNode> b = byType(after);
        TreeSet<String> types = new TreeSet<>(a.keySet());
        types.addAll(b.keySet());
        types.removeIf(t -> a.containsKey(t) && a.get(t).equals(b.get(t)));
        return types;
    }

    private static Map<String, JsonNode> byType(JsonNode list) {
        Map<String, JsonNode> m = new TreeMap<>();
        list.forEach(c -> m.put(c.path("type").asText(), c));
        return m;
    }

    /** Whether a gate of {@code s} shows the "evaluating" placeholder of a reading on its way. */
    static boolean evaluating(ModelReleaseStatus s) {
        return s.getGates() != null && s.getGates().stream().anyMatch(GateVerdict::isEvaluating);
    }

    /** The {@code n} most frequent kinds of write, each with its count per transition. */
    String top(int n, int transitions) {
        StringBuilder out = new StringBuilder(String.format(
                "%n  status writes by what they changed (per transition; a release's first status in the rollout is not"
                        + " compared, so these add up to one write per release less than the total above):"));
        counts.entrySet().stream()
                .sorted(Map.Entry.<String, Long>comparingByValue(Comparator.reverseOrder()))
                .limit(n)
                .forEach(e -> out.append(String.format(
                        Locale.ROOT,
                        "%n    %5.2f  %s",
                        transitions == 0 ? 0 : (double) e.getValue() / transitions,
                        e.getKey())));
        return out.toString();
    }
}
