package dev.fledge.e2e.local;

import dev.fledge.api.status.GateResult;
import java.io.PrintStream;
import java.time.Duration;
import java.time.Instant;
import java.time.LocalTime;
import java.time.ZoneOffset;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.stream.Collectors;

/** The demo's live table: one line per state change of the release, with gate evidence and what users received. */
public final class LiveTable {
    private static final java.time.format.DateTimeFormatter HH_MM_SS =
            java.time.format.DateTimeFormatter.ofPattern("HH:mm:ss", Locale.ROOT);

    private final PrintStream out;
    private final String release;
    private final Traffic traffic;

    public LiveTable(PrintStream out, String release, Traffic traffic) {
        this.out = out;
        this.release = release;
        this.traffic = traffic;
        out.printf(
                "%-8s %-10s %-11s %-10s %4s %-7s %-7s %-44s %s%n",
                "TIME", "RELEASE", "PHASE", "STAGE", "CAN%", "STABLE", "CANARY", "GATES", "USERS RECEIVED (last 3 s)");
    }

    public void print(Timeline.Point p) {
        out.printf(
                "%-8s %-10s %-11s %-10s %4d %-7s %-7s %-44s %s%n",
                // a pattern: LocalTime's toString drops the seconds when they are 0 ("16:03")
                HH_MM_SS.format(LocalTime.ofInstant(p.at(), ZoneOffset.UTC)),
                release,
                p.phase(),
                p.stage() == null ? "-" : p.stage(),
                p.weight(),
                dash(p.stable()),
                dash(p.canary()),
                gates(p.gates()),
                received(p.at()));
    }

    private String received(Instant at) {
        return List.of("internal", "closed", "public").stream()
                .map(a -> {
                    Map<String, Long> v = traffic.versions(a, at.minus(Duration.ofSeconds(3)), at);
                    long n = v.values().stream().mapToLong(Long::longValue).sum();
                    return a + " "
                            + (n == 0
                                    ? "-"
                                    : v.entrySet().stream()
                                            .sorted(Map.Entry.comparingByKey())
                                            .map(e -> e.getKey() + ":" + Math.round(100.0 * e.getValue() / n) + "%")
                                            .collect(Collectors.joining(",")));
                })
                .collect(Collectors.joining(" | "));
    }

    static String gates(List<GateResult> gates) {
        if (gates.isEmpty()) {
            return "-";
        }
        return gates.stream()
                .map(g -> {
                    String ev = g.getSamples() != null
                            ? String.format(
                                    Locale.ROOT,
                                    "n=%d,f=%d,ub=%.3f",
                                    g.getSamples(),
                                    g.getFlagged() == null ? 0 : g.getFlagged(),
                                    g.getUpperBound() == null ? 0 : g.getUpperBound())
                            : g.getValue() != null ? String.format(Locale.ROOT, "%.3f", g.getValue()) : "";
                    // the placeholder of a pass that asked and awaits the answer (DeferredGate) is not a verdict
                    boolean asking = g.getReason() != null && g.getReason().startsWith("evaluating:");
                    return g.getName() + "="
                            + (asking
                                    ? "evaluating"
                                    : g.getVerdict() == null
                                            ? "?"
                                            : g.getVerdict().wireName())
                            + (ev.isEmpty() ? "" : "(" + ev + ")");
                })
                .collect(Collectors.joining(" "));
    }

    private static String dash(String s) {
        return s == null ? "-" : s;
    }
}
