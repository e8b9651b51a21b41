package dev.fledge.operator.gates.bayes.bench;

import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;

/** A dependency-free SVG: wrong-decision rate and mean samples per true rate, one line per rule. */
final class BenchmarkPlot {
    private static final String[] COLOURS = {"#d62728", "#1f77b4", "#2ca02c", "#9467bd", "#ff7f0e"};
    private final List<GateBenchmark.Row> rows;
    private final double[] rates;

    BenchmarkPlot(List<GateBenchmark.Row> rows, double[] rates) {
        this.rows = rows;
        this.rates = rates;
    }

    String svg() {
        Map<String, List<GateBenchmark.Row>> byRule = new LinkedHashMap<>();
        rows.forEach(
                r -> byRule.computeIfAbsent(r.rule(), k -> new ArrayList<>()).add(r));
        StringBuilder sb = new StringBuilder();
        sb.append(
                "<svg xmlns=\"http://www.w3.org/2000/svg\" width=\"960\" height=\"490\" font-family=\"sans-serif\" font-size=\"12\">\n");
        sb.append("<rect width=\"960\" height=\"490\" fill=\"white\"/>\n");
        panel(sb, byRule, 60, "Wrong decisions (false promote at >=1%, false rollback below)", 1.0, true);
        panel(sb, byRule, 530, "Mean samples to a decision", 800, false);
        int y = 400;
        int i = 0;
        for (String rule : byRule.keySet()) {
            String c = COLOURS[i++ % COLOURS.length];
            sb.append(String.format(
                    Locale.ROOT,
                    "<line x1=\"60\" y1=\"%d\" x2=\"90\" y2=\"%d\" stroke=\"%s\" stroke-width=\"2\"/>",
                    y,
                    y,
                    c));
            sb.append(String.format(Locale.ROOT, "<text x=\"96\" y=\"%d\">%s</text>\n", y + 4, esc(rule)));
            y += 16;
        }
        return sb.append("</svg>\n").toString();
    }

    private void panel(
            StringBuilder sb,
            Map<String, List<GateBenchmark.Row>> byRule,
            int x0,
            String title,
            double yMax,
            boolean errors) {
        int w = 380;
        int h = 300;
        int top = 40;
        sb.append(
                String.format(Locale.ROOT, "<text x=\"%d\" y=\"24\" font-weight=\"bold\">%s</text>\n", x0, esc(title)));
        sb.append(String.format(
                Locale.ROOT,
                "<rect x=\"%d\" y=\"%d\" width=\"%d\" height=\"%d\" fill=\"none\" stroke=\"#999\"/>\n",
                x0,
                top,
                w,
                h));
        for (int t = 0; t <= 4; t++) {
            double v = yMax * t / 4;
            int y = top + h - (int) Math.round(h * t / 4.0);
            String label =
                    errors ? String.format(Locale.ROOT, "%.0f%%", v * 100) : String.format(Locale.ROOT, "%.0f", v);
            sb.append(String.format(
                    Locale.ROOT, "<text x=\"%d\" y=\"%d\" text-anchor=\"end\">%s</text>", x0 - 4, y + 4, label));
            sb.append(String.format(
                    Locale.ROOT,
                    "<line x1=\"%d\" y1=\"%d\" x2=\"%d\" y2=\"%d\" stroke=\"#eee\"/>\n",
                    x0,
                    y,
                    x0 + w,
                    y));
        }
        for (int k = 0; k < rates.length; k++) {
            int x = x0 + 20 + k * (w - 40) / (rates.length - 1);
            sb.append(String.format(
                    Locale.ROOT,
                    "<text x=\"%d\" y=\"%d\" text-anchor=\"middle\">%.1f%%</text>\n",
                    x,
                    top + h + 16,
                    rates[k] * 100));
        }
        sb.append(String.format(
                Locale.ROOT,
                "<text x=\"%d\" y=\"%d\" text-anchor=\"middle\">true harmful rate (maxHarmRate 1%%)</text>\n",
                x0 + w / 2,
                top + h + 32));
        int i = 0;
        for (List<GateBenchmark.Row> series : byRule.values()) {
            String c = COLOURS[i++ % COLOURS.length];
            StringBuilder pts = new StringBuilder();
            for (int k = 0; k < series.size(); k++) {
                GateBenchmark.Row r = series.get(k);
                double v = errors ? (r.bad() ? r.promoteRate() : r.rollbackRate()) : r.meanSamples();
                int x = x0 + 20 + k * (w - 40) / (rates.length - 1);
                int y = top + h - (int) Math.round(h * Math.min(v, yMax) / yMax);
                pts.append(x).append(',').append(y).append(' ');
                sb.append(String.format(Locale.ROOT, "<circle cx=\"%d\" cy=\"%d\" r=\"3\" fill=\"%s\"/>", x, y, c));
            }
            sb.append(String.format(
                    Locale.ROOT,
                    "<polyline points=\"%s\" fill=\"none\" stroke=\"%s\" stroke-width=\"2\"/>\n",
                    pts.toString().trim(),
                    c));
        }
    }

    private static String esc(String s) {
        return s.replace("&", "&amp;").replace("<", "&lt;").replace(">", "&gt;");
    }
}
