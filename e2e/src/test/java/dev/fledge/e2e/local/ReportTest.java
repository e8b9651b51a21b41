package dev.fledge.e2e.local;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.within;

import java.io.ByteArrayInputStream;
import java.nio.charset.StandardCharsets;
import java.time.Instant;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.HashMap;
import java.util.LinkedHashMap;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import java.util.stream.IntStream;
import javax.xml.parsers.DocumentBuilderFactory;
import org.junit.jupiter.api.Test;
import org.w3c.dom.Element;
import org.w3c.dom.NodeList;

/** What a reader of report.html depends on, read back from the SVG the report emits for a crowded synthetic run. */
class ReportTest {
    private static final Pattern SVG = Pattern.compile("<svg .*?</svg>", Pattern.DOTALL);

    private final Map<String, Element> charts = charts(ReportSample.report().html());

    @Test
    void stageLabelBoxesOfACrowdedTimelineDoNotOverlap() {
        for (Map.Entry<String, Element> chart : charts.entrySet()) {
            List<double[]> boxes = new ArrayList<>();
            for (Element r : elements(chart.getValue(), "rect")) {
                if ("stage-label".equals(r.getAttribute("class"))) {
                    boxes.add(new double[] {num(r, "x"), num(r, "y"), num(r, "width"), num(r, "height")});
                }
            }
            // the sample changes stage 1.5 s apart in places: 20 marks, some of them 16 px apart
            assertThat(boxes).as(chart.getKey()).hasSize(20);
            for (int i = 0; i < boxes.size(); i++) {
                double[] a = boxes.get(i);
                assertThat(a[0]).as("inside the chart").isGreaterThanOrEqualTo(0);
                assertThat(a[0] + a[2]).as("inside the chart").isLessThanOrEqualTo(Chart.WIDTH);
                for (int j = i + 1; j < boxes.size(); j++) {
                    double[] b = boxes.get(j);
                    boolean apart =
                            a[0] + a[2] <= b[0] || b[0] + b[2] <= a[0] || a[1] + a[3] <= b[1] || b[1] + b[3] <= a[1];
                    assertThat(apart)
                            .as(
                                    "%s: stage label %d %s and %d %s",
                                    chart.getKey(), i, Arrays.toString(a), j, Arrays.toString(b))
                            .isTrue();
                }
            }
        }
    }

    @Test
    void crowdedLabelsAreShortenedOrStaggeredAndSparseOnesStayWhole() {
        List<StageLabels.Mark> marks = new ArrayList<>();
        IntStream.range(0, 12).forEach(i -> marks.add(new StageLabels.Mark(100 + 6 * i, forms(i))));
        marks.add(new StageLabels.Mark(600, forms(12)));
        List<StageLabels.Placed> placed = StageLabels.layout(marks, 64, 1070, 10, 3);

        for (int i = 0; i < placed.size(); i++) {
            for (int j = i + 1; j < placed.size(); j++) {
                assertThat(placed.get(i).overlaps(placed.get(j)))
                        .as("%s / %s", placed.get(i), placed.get(j))
                        .isFalse();
            }
        }
        assertThat(placed.get(12).text())
                .as("a label with room keeps its full form")
                .isEqualTo("2.0.0 public 12%");
        assertThat(placed.subList(0, 12)).extracting(StageLabels.Placed::text).contains("p0", "p1");
    }

    @Test
    void labelsAtTheRightEdgeEndAtTheirMarkAndAPileOfMarksTakesExtraRows() {
        List<StageLabels.Mark> marks = new ArrayList<>();
        IntStream.range(0, 30).forEach(i -> marks.add(new StageLabels.Mark(1000 + 2 * i, forms(i))));
        List<StageLabels.Placed> placed = StageLabels.layout(marks, 64, 1070, 10, 3);

        for (int i = 0; i < placed.size(); i++) {
            StageLabels.Placed p = placed.get(i);
            assertThat(p.left()).as("%s", p).isGreaterThanOrEqualTo(64);
            assertThat(p.left() + p.width()).as("%s", p).isLessThanOrEqualTo(1070);
            for (int j = i + 1; j < placed.size(); j++) {
                assertThat(p.overlaps(placed.get(j)))
                        .as("%s / %s", p, placed.get(j))
                        .isFalse();
            }
        }
        assertThat(StageLabels.rows(placed))
                .as("30 marks in 60 px need more than 3 rows")
                .isGreaterThan(3);
    }

    @Test
    void labelWidthsAreNeverLessThanDejaVuSansMeasures() {
        // advance widths at 10 px, measured with java.awt from DejaVuSans.ttf (the font the report asks for)
        Map<String, Double> measured = Map.of(
                "2.0.0 public 100%", 90.48,
                "RolledBack 3.0.0", 84.02,
                "Promoted 2.0.0", 77.16,
                "3.0.0 internal", 67.17,
                "1.0.0 preflight", 70.92,
                "2.0.0 promoting", 80.44,
                "public 25%", 55.49,
                "p100", 25.43,
                "maxHarmRate 0.05", 97.88,
                "WMW%%mmm", 76.63);
        measured.forEach((text, width) -> assertThat(StageLabels.width(text, 10))
                .as(text)
                .isGreaterThanOrEqualTo(width)
                .isLessThan(width * 1.25));
    }

    @Test
    void theBoundAxisIsLogarithmicWithMaxHarmRateAtItsValue() {
        Element bound = charts.get("bound");
        Map<String, Double> ticks = yTicks(bound);
        assertThat(ticks).containsKeys("0.001", "0.01", "0.1", "1");
        double decade = ticks.get("0.001") - ticks.get("0.01");
        assertThat(decade).isGreaterThan(20);
        assertThat(ticks.get("0.01") - ticks.get("0.1")).isCloseTo(decade, within(0.15));
        assertThat(ticks.get("0.1") - ticks.get("1")).isCloseTo(decade, within(0.15));

        Element max = series(bound, "path", "maxHarmRate 0.05").get(0);
        Matcher d = Pattern.compile("M([\\d.]+),([\\d.]+)L([\\d.]+),([\\d.]+)").matcher(max.getAttribute("d"));
        assertThat(d.matches()).isTrue();
        double expected = ticks.get("0.01") - decade * Math.log10(ReportSample.MAX_HARM_RATE / 0.01);
        assertThat(Double.parseDouble(d.group(2))).isCloseTo(expected, within(0.3));
        assertThat(Double.parseDouble(d.group(4))).isCloseTo(expected, within(0.3));
        assertThat(Double.parseDouble(d.group(3)) - Double.parseDouble(d.group(1)))
                .as("across the plot")
                .isEqualTo(Chart.RIGHT - Chart.LEFT);
        assertThat(series(bound, "path", "safety upper bound")).isNotEmpty();
    }

    @Test
    void everySeriesOfEveryChartIsInItsLegend() {
        assertThat(charts.keySet())
                .containsExactlyInAnyOrder(
                        "share-internal", "share-closed", "share-public", "weight", "bound", "failures");
        charts.forEach((name, chart) -> {
            Set<String> drawn = new LinkedHashSet<>();
            Set<String> legend = new LinkedHashSet<>();
            for (Element e : elements(chart, "*")) {
                if (e.hasAttribute("data-series")) {
                    ("legend-item".equals(e.getAttribute("class")) ? legend : drawn).add(e.getAttribute("data-series"));
                }
            }
            assertThat(drawn).as(name).isNotEmpty();
            assertThat(legend).as(name).containsAll(drawn);
        });
        assertThat(legendOf(charts.get("share-closed"))).contains("1.0.0", "2.0.0", "3.0.0");
        assertThat(legendOf(charts.get("bound"))).contains("maxHarmRate 0.05", "safety upper bound", "Pass", "Fail");
        assertThat(legendOf(charts.get("failures"))).containsExactly("internal", "closed", "public");
    }

    @Test
    void everyChartHasTimeTicksInMinutesAndSecondsSinceTheStart() {
        TimeScale time = new TimeScale(ReportSample.START, ReportSample.END, Chart.LEFT, Chart.RIGHT);
        charts.forEach((name, chart) -> {
            Map<String, Double> ticks = new LinkedHashMap<>();
            for (Element t : elements(chart, "text")) {
                if ("x-tick".equals(t.getAttribute("class"))) {
                    ticks.put(t.getTextContent(), num(t, "x"));
                }
            }
            // a 92 s run: a tick every 10 s
            assertThat(ticks.keySet())
                    .as(name)
                    .containsExactly("0:00", "0:10", "0:20", "0:30", "0:40", "0:50", "1:00", "1:10", "1:20", "1:30");
            assertThat(ticks.get("0:00")).isEqualTo((double) Chart.LEFT);
            assertThat(ticks.get("1:00"))
                    .isCloseTo(Chart.LEFT + (Chart.RIGHT - Chart.LEFT) * 60 / 92.0, within(0.1))
                    .isCloseTo(time.x(ReportSample.START.plusSeconds(60)), within(0.1));
        });
    }

    @Test
    void failedRequestsAreChartedPerSecondAndAudience() {
        Instant start = Instant.parse("2026-12-01T15:00:00Z");
        Traffic traffic = new Traffic();
        for (int i = 0; i < 4; i++) {
            traffic.record(new Traffic.Response(start.plusMillis(5_100 + 100 * i), "public", null, 503));
        }
        traffic.record(new Traffic.Response(start.plusMillis(5_900), "internal", null, 599));
        traffic.record(new Traffic.Response(start.plusMillis(7_000), "public", "1.0.0", 200));
        Element failures = charts(new Report(start, start.plusSeconds(20), List.of(), traffic, List.of(), 0.05).html())
                .get("failures");
        // the y axis runs from 0 to its top tick; a request is its height over the top tick's value
        Map<String, Double> ticks = yTicks(failures);
        double top =
                ticks.keySet().stream().mapToDouble(Double::parseDouble).max().orElseThrow();
        double perRequest = (ticks.get("0") - ticks.get(String.format("%.0f", top))) / top;

        List<Element> pub = series(failures, "rect", "public");
        List<Element> internal = series(failures, "rect", "internal");
        assertThat(pub).hasSize(1);
        assertThat(internal).hasSize(1);
        assertThat(num(pub.get(0), "height") / perRequest).isCloseTo(4, within(0.01));
        assertThat(num(internal.get(0), "height") / perRequest).isCloseTo(1, within(0.01));
        TimeScale time = new TimeScale(start, start.plusSeconds(20), Chart.LEFT, Chart.RIGHT);
        assertThat(num(pub.get(0), "x")).isCloseTo(time.x(start.plusSeconds(5)), within(0.1));
        assertThat(series(failures, "rect", "closed")).isEmpty();
    }

    private static List<String> forms(int i) {
        return List.of("2.0.0 public " + i + "%", "public " + i + "%", "p" + i);
    }

    private static Map<String, Double> yTicks(Element chart) {
        Map<String, Double> ticks = new HashMap<>();
        for (Element line : elements(chart, "line")) {
            if ("y-grid".equals(line.getAttribute("class"))) {
                ticks.put(line.getAttribute("data-value"), num(line, "y1"));
            }
        }
        return ticks;
    }

    private static List<String> legendOf(Element chart) {
        return elements(chart, "g").stream()
                .filter(g -> "legend-item".equals(g.getAttribute("class")))
                .map(g -> g.getAttribute("data-series"))
                .toList();
    }

    private static List<Element> series(Element chart, String tag, String series) {
        return elements(chart, tag).stream()
                .filter(e ->
                        series.equals(e.getAttribute("data-series")) && !"legend-item".equals(e.getAttribute("class")))
                .toList();
    }

    private static Map<String, Element> charts(String html) {
        Map<String, Element> charts = new LinkedHashMap<>();
        Matcher m = SVG.matcher(html);
        while (m.find()) {
            try {
                Element svg = DocumentBuilderFactory.newInstance()
                        .newDocumentBuilder()
                        .parse(new ByteArrayInputStream(m.group().getBytes(StandardCharsets.UTF_8)))
                        .getDocumentElement();
                charts.put(svg.getAttribute("data-chart"), svg);
            } catch (Exception e) {
                throw new AssertionError("not well-formed SVG: " + e.getMessage(), e);
            }
        }
        return charts;
    }

    private static List<Element> elements(Element root, String tag) {
        NodeList nodes = root.getElementsByTagName(tag);
        List<Element> list = new ArrayList<>();
        for (int i = 0; i < nodes.getLength(); i++) {
            list.add((Element) nodes.item(i));
        }
        return list;
    }

    private static double num(Element e, String attribute) {
        return Double.parseDouble(e.getAttribute(attribute));
    }
}
