package dev.fledge.e2e.local;

import dev.fledge.api.status.GateResult;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Set;

/**
 * Writes the demo report: one self-contained HTML page with SVG timelines of what each audience received (share
 * per version), the canary weight, gate verdicts with posterior bounds, and marks where stages changed.
 */
final class Report {
    private static final String[] COLORS = {"#4e79a7", "#f28e2b", "#e15759", "#76b7b2", "#59a14f", "#edc948", "#b07aa1"
    };
    private static final int W = 1000;
    private static final int H = 150;
    private static final int PAD = 40;

    private final Instant start;
    private final Instant end;
    private final List<Timeline.Point> points;
    private final Traffic traffic;
    private final List<String> summary;
    private final Map<String, String> colors = new LinkedHashMap<>();

    Report(Instant start, Instant end, List<Timeline.Point> points, Traffic traffic, List<String> summary) {
        this.start = start;
        this.end = end;
        this.points = points;
        this.traffic = traffic;
        this.summary = summary;
    }

    void write(Path file) throws IOException {
        Files.createDirectories(file.getParent());
        StringBuilder html = new StringBuilder("""
                <!doctype html><html><head><meta charset="utf-8"><title>Fledge demo report</title>
                <style>body{font-family:system-ui,sans-serif;margin:24px;color:#222}h2{margin-top:28px}
                svg{background:#fafafa;border:1px solid #ddd}.legend span{margin-right:14px}
                table{border-collapse:collapse}td,th{border:1px solid #ddd;padding:3px 8px;font-size:13px}</style></head><body>
                <h1>Fledge demo</h1>
                """);
        html.append("<p>")
                .append(start)
                .append(" &ndash; ")
                .append(end)
                .append(" (")
                .append(Duration.between(start, end).toSeconds())
                .append(" s)</p><ul>");
        summary.forEach(s -> html.append("<li>").append(escape(s)).append("</li>"));
        html.append("</ul>");
        for (String audience : List.of("internal", "closed", "public")) {
            html.append("<h2>Responses to ").append(audience).append(" users, share per version</h2>");
            html.append(shareChart(audience));
        }
        html.append("<h2>Public canary weight and stages</h2>").append(weightChart());
        html.append("<h2>Gates</h2>").append(gateChart()).append(gateTable());
        html.append(legend()).append("</body></html>\n");
        Files.writeString(file, html.toString());
    }

    private String shareChart(String audience) {
        long span = Math.max(1, Duration.between(start, end).toMillis());
        int buckets = 100;
        StringBuilder svg = open();
        Set<String> versions = new LinkedHashSet<>();
        List<Map<String, Long>> counts = new ArrayList<>();
        for (int b = 0; b < buckets; b++) {
            Instant from = start.plusMillis(span * b / buckets);
            Instant to = start.plusMillis(span * (b + 1) / buckets);
            Map<String, Long> c = traffic.versions(audience, from, to);
            versions.addAll(c.keySet());
            counts.add(c);
        }
        for (int b = 0; b < buckets; b++) {
            Map<String, Long> c = counts.get(b);
            long total = c.values().stream().mapToLong(Long::longValue).sum();
            double x = PAD + (W - 2.0 * PAD) * b / buckets;
            double bw = (W - 2.0 * PAD) / buckets;
            double y = PAD / 2.0;
            for (String v : versions) {
                double h = total == 0 ? 0 : (H - PAD) * c.getOrDefault(v, 0L) / (double) total;
                if (h > 0) {
                    svg.append(String.format(
                            Locale.ROOT,
                            "<rect x='%.1f' y='%.1f' width='%.1f' height='%.1f' fill='%s'><title>%s: %d of %d</title></rect>",
                            x,
                            y,
                            bw + 0.3,
                            h,
                            color(v),
                            v,
                            c.getOrDefault(v, 0L),
                            total));
                }
                y += h;
            }
        }
        return close(svg, "share");
    }

    private String weightChart() {
        StringBuilder svg = open();
        StringBuilder path = new StringBuilder();
        int last = 0;
        for (Timeline.Point p : points) {
            double x = x(p.at());
            path.append(path.length() == 0 ? "M" : "L")
                    .append(fmt(x))
                    .append(',')
                    .append(fmt(y(last / 100.0)));
            last = p.weight();
            path.append("L").append(fmt(x)).append(',').append(fmt(y(last / 100.0)));
        }
        path.append("L").append(fmt(x(end))).append(',').append(fmt(y(last / 100.0)));
        svg.append("<path d='").append(path).append("' fill='none' stroke='#333' stroke-width='2'/>");
        return close(svg, "canary %");
    }

    private String gateChart() {
        StringBuilder svg = open();
        Map<String, StringBuilder> paths = new LinkedHashMap<>();
        for (Timeline.Point p : points) {
            for (GateResult g : p.gates()) {
                String mark =
                        switch (g.getVerdict() == null ? "" : g.getVerdict().wireName()) {
                            case "Pass" -> "#59a14f";
                            case "Fail" -> "#e15759";
                            default -> "#bab0ac";
                        };
                double value = g.getUpperBound() != null
                        ? g.getUpperBound()
                        : g.getValue() != null ? Math.min(1, g.getValue()) : 0;
                svg.append(String.format(
                        Locale.ROOT,
                        "<circle cx='%.1f' cy='%.1f' r='4' fill='%s'><title>%s %s %s</title></circle>",
                        x(p.at()),
                        y(value),
                        mark,
                        g.getName(),
                        g.getVerdict(),
                        escape(g.getReason() == null ? "" : g.getReason())));
                if (g.getUpperBound() != null) {
                    paths.computeIfAbsent(g.getName(), k -> new StringBuilder())
                            .append(
                                    paths.get(g.getName()) == null
                                                    || paths.get(g.getName()).length() == 0
                                            ? "M"
                                            : "L")
                            .append(fmt(x(p.at())))
                            .append(',')
                            .append(fmt(y(value)));
                }
            }
        }
        paths.forEach((gate, d) -> svg.append("<path d='")
                .append(d)
                .append("' fill='none' stroke='")
                .append(color("gate:" + gate))
                .append("' stroke-dasharray='4 3'><title>")
                .append(gate)
                .append(" upper credible bound</title></path>"));
        return close(svg, "bound / value");
    }

    private String gateTable() {
        StringBuilder t = new StringBuilder(
                "<table><tr><th>time</th><th>canary</th><th>stage</th><th>gate</th><th>verdict</th>"
                        + "<th>samples</th><th>flagged</th><th>upper bound</th><th>P(rate&gt;max)</th><th>reason</th></tr>");
        Set<String> seen = new LinkedHashSet<>();
        for (Timeline.Point p : points) {
            for (GateResult g : p.gates()) {
                if (seen.add(g.getName() + g.getAt() + p.canary())) {
                    t.append("<tr><td>")
                            .append(p.at())
                            .append("</td><td>")
                            .append(p.canary())
                            .append("</td><td>")
                            .append(p.stage())
                            .append("</td><td>")
                            .append(g.getName())
                            .append("</td><td>")
                            .append(g.getVerdict())
                            .append("</td><td>")
                            .append(nz(g.getSamples()))
                            .append("</td><td>")
                            .append(nz(g.getFlagged()))
                            .append("</td><td>")
                            .append(nz(g.getUpperBound()))
                            .append("</td><td>")
                            .append(nz(g.getPAboveMax()))
                            .append("</td><td>")
                            .append(escape(g.getReason() == null ? "" : g.getReason()))
                            .append("</td></tr>");
                }
            }
        }
        return t.append("</table>").toString();
    }

    private StringBuilder open() {
        return new StringBuilder(
                "<svg width='" + W + "' height='" + (H + PAD / 2) + "' xmlns='http://www.w3.org/2000/svg'>");
    }

    private String close(StringBuilder svg, String label) {
        String stage = null;
        for (Timeline.Point p : points) {
            String s = p.canary() == null ? p.phase() : p.canary() + " " + (p.stage() == null ? p.phase() : p.stage());
            if (!s.equals(stage)) {
                stage = s;
                double x = x(p.at());
                svg.append(String.format(
                        Locale.ROOT,
                        "<line x1='%.1f' x2='%.1f' y1='%d' y2='%d' stroke='#999' stroke-dasharray='2 2'/>"
                                + "<text x='%.1f' y='%d' font-size='9' transform='rotate(-30 %.1f %d)'>%s</text>",
                        x,
                        x,
                        PAD / 2,
                        H - PAD / 2,
                        x + 2,
                        H + 8,
                        x + 2,
                        H + 8,
                        escape(s)));
            }
        }
        svg.append("<text x='2' y='12' font-size='10'>").append(label).append("</text>");
        svg.append(String.format(
                Locale.ROOT,
                "<text x='2' y='%d' font-size='10'>0</text><text x='2' y='%d' font-size='10'>1</text>",
                H - PAD / 2,
                PAD / 2 + 4));
        return svg.append("</svg>").toString();
    }

    private String legend() {
        StringBuilder l = new StringBuilder("<p class='legend'>");
        colors.forEach((k, c) -> l.append("<span><svg width='12' height='12'><rect width='12' height='12' fill='")
                .append(c)
                .append("'/></svg> ")
                .append(escape(k))
                .append("</span>"));
        return l.append("<span>gate dots: green Pass, red Fail, grey Inconclusive</span></p>")
                .toString();
    }

    private String color(String key) {
        return colors.computeIfAbsent(key, k -> COLORS[colors.size() % COLORS.length]);
    }

    private double x(Instant t) {
        long span = Math.max(1, Duration.between(start, end).toMillis());
        return PAD + (W - 2.0 * PAD) * Duration.between(start, t).toMillis() / span;
    }

    private static double y(double fraction) {
        return PAD / 2.0 + (H - PAD) * (1 - fraction);
    }

    private static String fmt(double d) {
        return String.format(Locale.ROOT, "%.1f", d);
    }

    private static String nz(Object o) {
        return o == null ? "" : o instanceof Double d ? String.format(Locale.ROOT, "%.4f", d) : o.toString();
    }

    private static String escape(String s) {
        return s.replace("&", "&amp;").replace("<", "&lt;").replace(">", "&gt;").replace("'", "&#39;");
    }
}
