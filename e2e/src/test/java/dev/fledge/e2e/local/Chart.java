package dev.fledge.e2e.local;

import java.math.BigDecimal;
import java.time.Instant;
import java.time.LocalTime;
import java.time.ZoneOffset;
import java.time.temporal.ChronoUnit;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;

/**
 * One SVG chart of the report: a plot over the shared time axis, the stage labels in rows above it with a dashed line
 * down each stage change, a y axis with ticks, a time axis with m:ss ticks and a legend naming every series. Every
 * element drawn for a series carries {@code data-series}, and the legend has an item for each.
 */
final class Chart {
    /** A y axis: linear from 0 to max, or logarithmic over whole decades. */
    record YAxis(String title, boolean log, double min, double max, double step, String suffix) {
        static YAxis linear(String title, double max, double step, String suffix) {
            return new YAxis(title, false, 0, max, step, suffix);
        }

        static YAxis log(String title, int fromExponent, int toExponent) {
            return new YAxis(title, true, fromExponent, toExponent, 1, "");
        }

        double fraction(double v) {
            return log
                    ? (Math.log10(Math.max(v, Math.pow(10, min))) - min) / (max - min)
                    : Math.min(Math.max(v, 0), max) / max;
        }

        Map<Double, String> ticks() {
            Map<Double, String> ticks = new LinkedHashMap<>();
            for (double t = min; t <= max + 1e-9; t += step) {
                ticks.put(
                        log ? Math.pow(10, t) : t,
                        log
                                ? BigDecimal.ONE.scaleByPowerOfTen((int) t).toPlainString()
                                : String.format(Locale.ROOT, "%.0f", t) + suffix);
            }
            return ticks;
        }
    }

    static final int WIDTH = 1100;
    static final int LEFT = 64;
    static final int RIGHT = WIDTH - 30;
    static final double FONT = 10;
    static final double ROW = 15;
    private static final String FONTS = "DejaVu Sans, Verdana, sans-serif";

    private final String name;
    private final TimeScale time;
    private final List<StageLabels.Placed> stages;
    private final YAxis axis;
    private final double plotTop;
    private final double plotHeight;
    private final StringBuilder body = new StringBuilder();
    private final Map<String, String[]> legend = new LinkedHashMap<>();

    /** name: the chart's data-chart attribute, for tests and style sheets. */
    Chart(String name, TimeScale time, List<StageLabels.Placed> stages, YAxis axis, double plotHeight) {
        this.name = name;
        this.time = time;
        this.stages = stages;
        this.axis = axis;
        this.plotTop = 4 + StageLabels.rows(stages) * ROW + 6;
        this.plotHeight = plotHeight;
    }

    double x(Instant t) {
        return time.x(t);
    }

    double y(double value) {
        return plotTop + plotHeight * (1 - axis.fraction(value));
    }

    double bottom() {
        return plotTop + plotHeight;
    }

    /** Names a series in the legend, drawn as a filled box, a line, a dashed line or a dot. */
    Chart series(String name, String color, String kind) {
        legend.putIfAbsent(name, new String[] {color, kind});
        return this;
    }

    void rect(String series, double x, double y, double w, double h, String color, String title) {
        body.append(f(
                        "<rect data-series='%s' x='%.1f' y='%.1f' width='%.1f' height='%.1f' fill='%s' shape-rendering='crispEdges'>",
                        Report.escape(series), x, y, w, h, color))
                .append(title(title))
                .append("</rect>");
    }

    void path(String series, String d, String color, String dash, String title) {
        body.append(f(
                        "<path data-series='%s' d='%s' fill='none' stroke='%s' stroke-width='2'%s>",
                        Report.escape(series), d, color, dash == null ? "" : " stroke-dasharray='" + dash + "'"))
                .append(title(title))
                .append("</path>");
    }

    void dot(String series, double x, double y, String color, String title) {
        body.append(f(
                        "<circle data-series='%s' cx='%.1f' cy='%.1f' r='4' fill='%s' stroke='#fff'>",
                        Report.escape(series), x, y, color))
                .append(title(title))
                .append("</circle>");
    }

    void text(double x, double y, String anchor, String text) {
        body.append(f("<text x='%.1f' y='%.1f' text-anchor='%s'>%s</text>", x, y, anchor, Report.escape(text)));
    }

    String svg() {
        List<String> legendRows = legendRows();
        double height = bottom() + 34 + legendRows.size() * 16;
        StringBuilder svg = new StringBuilder(f(
                "<svg xmlns='http://www.w3.org/2000/svg' data-chart='%s' width='%d' height='%.0f' font-family='%s'"
                        + " font-size='%.0f'>",
                name, WIDTH, height, FONTS, FONT));
        svg.append(f(
                "<rect x='%d' y='%.1f' width='%d' height='%.1f' fill='#fafafa' stroke='#ccc'/>",
                LEFT, plotTop, RIGHT - LEFT, plotHeight));
        axis.ticks()
                .forEach((v, label) -> svg.append(f(
                        "<line class='y-grid' data-value='%s' x1='%d' x2='%d' y1='%.1f' y2='%.1f' stroke='#e4e4e4'/>"
                                + "<text x='%d' y='%.1f' text-anchor='end'>%s</text>",
                        label, LEFT, RIGHT, y(v), y(v), LEFT - 5, y(v) + 3.5, label)));
        svg.append(f(
                "<text x='12' y='%.1f' text-anchor='middle' transform='rotate(-90 12 %.1f)'>%s</text>",
                plotTop + plotHeight / 2, plotTop + plotHeight / 2, Report.escape(axis.title())));
        for (StageLabels.Placed s : stages) {
            svg.append(f(
                    "<line x1='%.1f' x2='%.1f' y1='%.1f' y2='%.1f' stroke='#999' stroke-dasharray='2 2'/>",
                    s.x(), s.x(), 4 + s.row() * ROW + ROW - 3, bottom()));
        }
        svg.append(body);
        for (StageLabels.Placed s : stages) {
            double top = 4 + s.row() * ROW;
            svg.append(f(
                    "<g class='stage'><rect class='stage-label' x='%.1f' y='%.1f' width='%.1f' height='%.1f'"
                            + " fill='#fff' stroke='#bbb' rx='2'/><text x='%.1f' y='%.1f'>%s</text>%s</g>",
                    s.left(),
                    top,
                    s.width(),
                    ROW - 3,
                    s.left() + StageLabels.PADDING,
                    top + FONT,
                    Report.escape(s.text()),
                    title(s.full())));
        }
        for (TimeScale.Tick t : time.ticks()) {
            svg.append(f(
                    "<line x1='%.1f' x2='%.1f' y1='%.1f' y2='%.1f' stroke='#666'/>"
                            + "<text class='x-tick' x='%.1f' y='%.1f' text-anchor='middle'>%s</text>",
                    t.x(), t.x(), bottom(), bottom() + 4, t.x(), bottom() + 14, t.label()));
        }
        svg.append(f(
                "<text x='%d' y='%.1f' text-anchor='end' fill='#555'>time since start, m:ss (0:00 = %s UTC)</text>",
                RIGHT,
                bottom() + 28,
                LocalTime.ofInstant(time.start, ZoneOffset.UTC).truncatedTo(ChronoUnit.SECONDS)));
        for (int i = 0; i < legendRows.size(); i++) {
            svg.append(f("<g transform='translate(%d %.1f)'>", LEFT, bottom() + 36 + i * 16))
                    .append(legendRows.get(i))
                    .append("</g>");
        }
        return svg.append("</svg>").toString();
    }

    private List<String> legendRows() {
        List<String> rows = new ArrayList<>();
        StringBuilder row = new StringBuilder();
        double x = 0;
        for (Map.Entry<String, String[]> e : legend.entrySet()) {
            double w = 18 + StageLabels.width(e.getKey(), FONT) + 16;
            if (x > 0 && x + w > RIGHT - LEFT) {
                rows.add(row.toString());
                row = new StringBuilder();
                x = 0;
            }
            String color = e.getValue()[0];
            String swatch = switch (e.getValue()[1]) {
                case "line" ->
                    f("<line x1='%.1f' x2='%.1f' y1='6' y2='6' stroke='%s' stroke-width='2'/>", x, x + 14, color);
                case "dash" ->
                    f(
                            "<line x1='%.1f' x2='%.1f' y1='6' y2='6' stroke='%s' stroke-width='2' stroke-dasharray='4 2'/>",
                            x, x + 14, color);
                case "dot" -> f("<circle cx='%.1f' cy='6' r='4' fill='%s'/>", x + 7, color);
                default -> f("<rect x='%.1f' y='1' width='14' height='10' fill='%s'/>", x, color);
            };
            row.append(f(
                    "<g class='legend-item' data-series='%s'>%s<text x='%.1f' y='10'>%s</text></g>",
                    Report.escape(e.getKey()), swatch, x + 18, Report.escape(e.getKey())));
            x += w;
        }
        if (!row.isEmpty()) {
            rows.add(row.toString());
        }
        return rows;
    }

    private static String title(String title) {
        return title == null ? "" : "<title>" + Report.escape(title) + "</title>";
    }

    private static String f(String format, Object... args) {
        return String.format(Locale.ROOT, format, args);
    }
}
