package dev.fledge.e2e.local;

import dev.fledge.api.status.GateResult;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.time.Instant;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Objects;
import java.util.Set;
import java.util.TreeMap;
import java.util.TreeSet;
import java.util.stream.Collectors;

/**
 * Writes the demo report: one self-contained HTML page with SVG charts over a shared time axis: what each audience
 * received (share per version), the public canary weight, the safety gate's posterior upper bound on a log scale
 * against maxHarmRate, and failed requests per second. Stage changes are marked on every chart, their labels placed
 * by {@link StageLabels} so that none overlap; every chart has a legend.
 */
public final class Report {
    private static final String[] VERSION_COLORS = {"#4e79a7", "#f28e2b", "#76b7b2", "#edc948", "#b07aa1", "#9c755f"};
    private static final String[] GATE_COLORS = {"#4e79a7", "#b07aa1", "#9c755f", "#76b7b2"};
    private static final List<String> AUDIENCES = List.of("internal", "closed", "public");
    private static final String[] AUDIENCE_COLORS = {"#4e79a7", "#f28e2b", "#e15759"};
    private static final int LABEL_ROWS = 3;

    private final Instant start;
    private final Instant end;
    private final List<Timeline.Point> points;
    private final Traffic traffic;
    private final List<String> summary;
    private final double maxHarmRate;
    private final TimeScale time;
    private final List<StageLabels.Placed> stages;
    private final List<String> versions;

    /** maxHarmRate: the release's spec.analysis.safety.maxHarmRate, drawn on the bound chart. */
    public Report(
            Instant start,
            Instant end,
            List<Timeline.Point> points,
            Traffic traffic,
            List<String> summary,
            double maxHarmRate) {
        this.start = start;
        this.end = end;
        this.points = points;
        this.traffic = traffic;
        this.summary = summary;
        this.maxHarmRate = maxHarmRate;
        this.time = new TimeScale(start, end, Chart.LEFT, Chart.RIGHT);
        this.stages =
                StageLabels.layout(StageLabels.marks(points, time), Chart.LEFT, Chart.RIGHT, Chart.FONT, LABEL_ROWS);
        Set<String> seen = new TreeSet<>();
        points.forEach(p -> {
            if (p.stable() != null) {
                seen.add(p.stable());
            }
            if (p.canary() != null) {
                seen.add(p.canary());
            }
        });
        traffic.responses(r -> r.version() != null).forEach(r -> seen.add(r.version()));
        this.versions = List.copyOf(seen);
    }

    public void write(Path file) throws IOException {
        Files.createDirectories(file.getParent());
        Files.writeString(file, html());
    }

    String html() {
        StringBuilder html = new StringBuilder("""
                <!doctype html><html><head><meta charset="utf-8"><title>Fledge demo report</title>
                <style>body{font-family:'DejaVu Sans',Verdana,sans-serif;margin:24px;color:#222}h2{margin:18px 0 2px;font-size:16px}
                p.note{color:#555;font-size:13px;margin:2px 0 6px}svg{display:block}
                table{border-collapse:collapse}td,th{border:1px solid #ddd;padding:3px 8px;font-size:12px}</style></head><body>
                <h1>Fledge demo</h1>
                """);
        html.append(f(
                "<p>%s &ndash; %s (%d s)</p><ul>",
                start, end, Duration.between(start, end).toSeconds()));
        summary.forEach(s -> html.append("<li>").append(escape(s)).append("</li>"));
        html.append("</ul><p class='note'>Dashed vertical lines mark stage changes. Crowded labels are shortened"
                + " (pre = preflight, int = internal, cls = closed, p25 = public 25%, prm = promoting,"
                + " RB = RolledBack); hover a label for its full text.</p>");
        for (String audience : AUDIENCES) {
            html.append("<h2>Responses to ").append(audience).append(" users: share per version</h2>");
            html.append(shareChart(audience));
        }
        html.append("<h2>Public canary weight</h2>").append(weightChart());
        html.append("<h2>Safety gate: posterior upper bound of the harm rate</h2>")
                .append("<p class='note'>Log scale. The gate rolls back when the bound stays above maxHarmRate;"
                        + " dots are the gate's verdicts.</p>")
                .append(boundChart());
        html.append("<h2>Failed requests per second</h2>").append(failureChart());
        html.append("<h2>Gate verdicts</h2>")
                .append("<p class='note'>Each stored evaluation once; a metric gate's query in flight"
                        + " (\"evaluating\") is not listed. An evaluation that repeats a pass of the same stage or"
                        + " step is stored at most every 5 minutes (the operator holds it in memory meanwhile).</p>")
                .append(gateTable());
        return html.append("</body></html>\n").toString();
    }

    private String shareChart(String audience) {
        Chart chart = new Chart("share-" + audience, time, stages, Chart.YAxis.linear("share", 100, 50, "%"), 60);
        long span = Math.max(1, Duration.between(start, end).toMillis());
        long bucket = Math.max(1000, span / ((Chart.RIGHT - Chart.LEFT) / 3));
        for (long t = 0; t < span; t += bucket) {
            Instant from = start.plusMillis(t);
            Instant to = start.plusMillis(Math.min(span, t + bucket));
            Map<String, Long> counts = new TreeMap<>(traffic.versions(audience, from, to));
            long total = counts.values().stream().mapToLong(Long::longValue).sum();
            double share = 0;
            for (Map.Entry<String, Long> c : counts.entrySet()) {
                double next = share + 100.0 * c.getValue() / total;
                chart.series(c.getKey(), versionColor(c.getKey()), "box");
                chart.rect(
                        c.getKey(),
                        chart.x(from),
                        chart.y(next),
                        chart.x(to) - chart.x(from) + 0.3,
                        chart.y(share) - chart.y(next),
                        versionColor(c.getKey()),
                        f("%s, %s-%s: %d of %d", c.getKey(), time.since(from), time.since(to), c.getValue(), total));
                share = next;
            }
        }
        return chart.svg();
    }

    private String weightChart() {
        Chart chart = new Chart("weight", time, stages, Chart.YAxis.linear("canary weight", 100, 25, "%"), 60);
        StringBuilder d = new StringBuilder();
        int last = 0;
        for (Timeline.Point p : points) {
            d.append(d.isEmpty() ? "M" : "L").append(f("%.1f,%.1f", chart.x(p.at()), chart.y(last)));
            last = p.weight();
            d.append(f("L%.1f,%.1f", chart.x(p.at()), chart.y(last)));
        }
        d.append(f("L%.1f,%.1f", chart.x(end), chart.y(last)));
        chart.series("public canary weight", "#333", "line")
                .path("public canary weight", d.toString(), "#333", null, null);
        return chart.svg();
    }

    private String boundChart() {
        double lowest = maxHarmRate;
        for (Timeline.Point p : points) {
            for (GateResult g : p.gates()) {
                if (g.getUpperBound() != null && g.getUpperBound() > 0) {
                    lowest = Math.min(lowest, g.getUpperBound());
                }
            }
        }
        int from = Math.max(-5, Math.min(-3, (int) Math.floor(Math.log10(lowest))));
        Chart chart = new Chart("bound", time, stages, Chart.YAxis.log("upper bound", from, 0), 120);
        String maxSeries = "maxHarmRate " + num(maxHarmRate);
        chart.series(maxSeries, "#e15759", "dash")
                .path(
                        maxSeries,
                        f("M%d,%.1fL%d,%.1f", Chart.LEFT, chart.y(maxHarmRate), Chart.RIGHT, chart.y(maxHarmRate)),
                        "#e15759",
                        "6 3",
                        "the release's spec.analysis.safety.maxHarmRate");
        chart.text(Chart.RIGHT - 4, chart.y(maxHarmRate) - 4, "end", maxSeries);
        Map<String, StringBuilder> paths = new TreeMap<>();
        Map<String, String> lastCanary = new TreeMap<>();
        Set<String> seen = new LinkedHashSet<>();
        for (Timeline.Point p : points) {
            for (GateResult g : p.gates()) {
                if (g.getUpperBound() == null || !seen.add(evaluation(p, g))) {
                    continue;
                }
                double x = chart.x(p.at());
                double y = chart.y(g.getUpperBound());
                StringBuilder d = paths.computeIfAbsent(g.getName(), k -> new StringBuilder());
                boolean newRun = !Objects.equals(lastCanary.put(g.getName(), p.canary()), p.canary());
                d.append(newRun || d.isEmpty() ? "M" : "L").append(f("%.1f,%.1f", x, y));
                String verdict =
                        g.getVerdict() == null ? "no verdict" : g.getVerdict().wireName();
                chart.series(verdict, verdictColor(verdict), "dot")
                        .dot(
                                verdict,
                                x,
                                y,
                                verdictColor(verdict),
                                f(
                                        "%s %s at %s: %s, upper bound %s (%s)",
                                        g.getName(),
                                        verdict,
                                        time.since(p.at()),
                                        p.canary(),
                                        num(g.getUpperBound()),
                                        g.getReason() == null ? "" : g.getReason()));
            }
        }
        int i = 0;
        for (Map.Entry<String, StringBuilder> e : paths.entrySet()) {
            String series = e.getKey() + " upper bound";
            String color = GATE_COLORS[i++ % GATE_COLORS.length];
            chart.series(series, color, "line").path(series, e.getValue().toString(), color, null, series);
        }
        return chart.svg();
    }

    private String failureChart() {
        long seconds = Math.max(1, (Duration.between(start, end).toMillis() + 999) / 1000);
        long[][] counts = new long[(int) seconds][AUDIENCES.size()];
        List<Traffic.Response> failed = traffic.failures(start, end);
        for (Traffic.Response r : failed) {
            int s = (int) Math.min(seconds - 1, Duration.between(start, r.at()).toSeconds());
            int a = AUDIENCES.indexOf(r.audience());
            if (s >= 0 && a >= 0) {
                counts[s][a]++;
            }
        }
        long peak = 1;
        for (long[] c : counts) {
            peak = Math.max(peak, c[0] + c[1] + c[2]);
        }
        long max = niceCeiling(peak);
        Chart chart = new Chart(
                "failures", time, stages, Chart.YAxis.linear("failed / s", max, max <= 5 ? 1 : max / 5.0, ""), 70);
        for (int a = 0; a < AUDIENCES.size(); a++) {
            chart.series(AUDIENCES.get(a), AUDIENCE_COLORS[a], "box");
        }
        for (int s = 0; s < seconds; s++) {
            double y = 0;
            for (int a = 0; a < AUDIENCES.size(); a++) {
                if (counts[s][a] == 0) {
                    continue;
                }
                Instant from = start.plusSeconds(s);
                double x = chart.x(from);
                double w = Math.max(1, chart.x(from.plusSeconds(1)) - x - 0.5);
                chart.rect(
                        AUDIENCES.get(a),
                        x,
                        chart.y(y + counts[s][a]),
                        w,
                        chart.y(y) - chart.y(y + counts[s][a]),
                        AUDIENCE_COLORS[a],
                        f("%s at %s: %d failed", AUDIENCES.get(a), time.since(from), counts[s][a]));
                y += counts[s][a];
            }
        }
        long total = traffic.responses(r -> true).size();
        String byStatus = failed.stream()
                .collect(Collectors.groupingBy(Traffic.Response::status, TreeMap::new, Collectors.counting()))
                .entrySet()
                .stream()
                .map(e -> e.getValue() + " \u00d7 " + e.getKey())
                .collect(Collectors.joining(", "));
        return f(
                        "<p class='note'>Responses other than 200, per audience: %d of %d requests%s"
                                + " (503: no ready pod behind the route, 599: connection failed or timed out).</p>",
                        failed.size(), total, byStatus.isEmpty() ? "" : ": " + byStatus)
                + chart.svg();
    }

    /** The smallest of 1, 2, 5, 10, 20, 50, ... that is at least n. */
    static long niceCeiling(long n) {
        for (long decade = 1; ; decade *= 10) {
            for (long m : new long[] {1, 2, 5}) {
                if (m * decade >= n) {
                    return m * decade;
                }
            }
        }
    }

    private String gateTable() {
        StringBuilder t = new StringBuilder(
                "<table><tr><th>time</th><th>canary</th><th>stage</th><th>gate</th><th>verdict</th><th>value</th>"
                        + "<th>samples</th><th>flagged</th><th>upper bound</th><th>P(rate&gt;max)</th><th>reason</th></tr>");
        Set<String> seen = new LinkedHashSet<>();
        for (Timeline.Point p : points) {
            for (GateResult g : p.gates()) {
                // a metric gate's "evaluating: asked Prometheus ..." placeholder (DeferredGate) is not a verdict
                boolean asking = g.getReason() != null && g.getReason().startsWith("evaluating:");
                if (!asking && seen.add(evaluation(p, g))) {
                    t.append("<tr>");
                    for (Object cell : new Object[] {
                        time.since(p.at()),
                        p.canary(),
                        p.stage(),
                        g.getName(),
                        g.getVerdict() == null ? null : g.getVerdict().wireName(),
                        g.getValue(),
                        g.getSamples(),
                        g.getFlagged(),
                        g.getUpperBound(),
                        g.getPAboveMax(),
                        g.getReason()
                    }) {
                        t.append("<td>")
                                .append(escape(cell == null ? "" : cell instanceof Double d ? num(d) : cell.toString()))
                                .append("</td>");
                    }
                    t.append("</tr>");
                }
            }
        }
        return t.append("</table>").toString();
    }

    /** One evaluation of a gate: the status repeats it on every later point until the next one. */
    private static String evaluation(Timeline.Point p, GateResult g) {
        return g.getName() + "@" + (g.getAt() != null ? g.getAt() : p.at().toString());
    }

    private String versionColor(String version) {
        int i = versions.indexOf(version);
        return VERSION_COLORS[(i < 0 ? versions.size() : i) % VERSION_COLORS.length];
    }

    private static String verdictColor(String verdict) {
        return switch (verdict) {
            case "Pass" -> "#59a14f";
            case "Fail" -> "#e15759";
            default -> "#9d9d9d";
        };
    }

    private static String num(double d) {
        return String.format(Locale.ROOT, "%.4g", d)
                .replaceAll("(\\.\\d*?)0+$", "$1")
                .replaceAll("\\.$", "");
    }

    private static String f(String format, Object... args) {
        return String.format(Locale.ROOT, format, args);
    }

    static String escape(String s) {
        return s.replace("&", "&amp;").replace("<", "&lt;").replace(">", "&gt;").replace("'", "&#39;");
    }
}
