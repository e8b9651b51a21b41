package dev.fledge.e2e.local;

import dev.fledge.api.status.GateResult;
import dev.fledge.api.status.Verdict;
import java.nio.file.Path;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.Random;

/**
 * A synthetic but realistic demo run for the report: 1.0.0 first release, 2.0.0 promoted through internal, closed and
 * public 25/50/100%, 3.0.0 rolled back by the safety gate, with stage changes 1.5 s apart in places to crowd the
 * labels, and a few failed requests at transitions. {@code main} writes it to a file, for a look in a browser.
 */
final class ReportSample {
    static final double MAX_HARM_RATE = 0.05;
    static final Instant START = Instant.parse("2026-12-01T15:00:00Z");
    static final Instant END = START.plusSeconds(92);

    private final List<Timeline.Point> points = new ArrayList<>();
    private final List<GateResult> gates = new ArrayList<>();

    public static void main(String[] args) throws Exception {
        report().write(Path.of(args[0]));
    }

    static Report report() {
        ReportSample s = new ReportSample();
        s.rollout(0, null, "1.0.0");
        s.rollout(39.5, "1.0.0", "2.0.0");
        s.point(77.5, "Progressing", "preflight", 0, "2.0.0", "3.0.0");
        s.point(79, "Progressing", "internal", 0, "2.0.0", "3.0.0");
        s.safety(80, "3.0.0", 20, 3, 0.34, Verdict.INCONCLUSIVE);
        s.point(80.5, "Progressing", "closed", 0, "2.0.0", "3.0.0");
        s.safety(82, "3.0.0", 40, 9, 0.37, Verdict.FAIL);
        s.point(83, "RolledBack", null, 0, "2.0.0", "3.0.0");
        return new Report(START, END, s.points, s.traffic(), List.of("a synthetic run"), MAX_HARM_RATE);
    }

    /** One release through every stage; the first one has no stable version yet. */
    private void rollout(double t, String stable, String canary) {
        gates.clear();
        point(t + 1, "Progressing", "preflight", 0, stable, canary);
        point(t + 2.5, "Progressing", "internal", 0, stable, canary);
        safety(t + 4, canary, 20, 0, 0.14, Verdict.INCONCLUSIVE);
        point(t + 6.5, "Progressing", "closed", 0, stable, canary);
        safety(t + 9, canary, 80, 0, 0.037, Verdict.PASS);
        point(t + 11, "Progressing", "public", 25, stable, canary);
        safety(t + 14, canary, 160, 0, 0.018, Verdict.PASS);
        errorRate(t + 16, canary, 0.004);
        point(t + 19, "Progressing", "public", 50, stable, canary);
        safety(t + 24, canary, 280, 1, 0.017, Verdict.PASS);
        point(t + 27, "Progressing", "public", 100, stable, canary);
        safety(t + 34, canary, 400, 1, 0.012, Verdict.PASS);
        point(t + 35, "Progressing", "promoting", 100, stable, canary);
        point(t + 36.5, "Promoted", null, 0, canary, null);
    }

    private void safety(double t, String canary, long samples, long flagged, double bound, Verdict verdict) {
        gates.removeIf(g -> g.getName().equals("safety"));
        gates.add(new GateResult()
                .withName("safety")
                .withVerdict(verdict)
                .withSamples(samples)
                .withFlagged(flagged)
                .withUpperBound(bound)
                .withAt(START.plusMillis((long) (t * 1000)).toString())
                .withReason(flagged + " of " + samples + " flagged"));
        Timeline.Point last = points.get(points.size() - 1);
        point(t, last.phase(), last.stage(), last.weight(), last.stable(), canary);
    }

    /** The error-rate metric gate: a value against its max, no posterior bound. */
    private void errorRate(double t, String canary, double value) {
        gates.removeIf(g -> g.getName().equals("error-rate"));
        gates.add(new GateResult()
                .withName("error-rate")
                .withVerdict(Verdict.PASS)
                .withValue(value)
                .withAt(START.plusMillis((long) (t * 1000)).toString()));
        Timeline.Point last = points.get(points.size() - 1);
        point(t, last.phase(), last.stage(), last.weight(), last.stable(), canary);
    }

    private void point(double t, String phase, String stage, int weight, String stable, String canary) {
        points.add(new Timeline.Point(
                START.plusMillis((long) (t * 1000)),
                phase,
                stage,
                weight,
                null,
                stable,
                canary,
                List.copyOf(gates),
                null));
    }

    /** 10 internal, 10 closed and 30 public requests per second, answered as the latest point routes them. */
    private Traffic traffic() {
        Traffic traffic = new Traffic();
        Random random = new Random(16);
        for (long ms = 0; ms < 92_000; ms += 20) {
            Instant at = START.plusMillis(ms);
            String audience = ms % 100 < 20 ? "internal" : ms % 100 < 40 ? "closed" : "public";
            Timeline.Point p = null;
            for (Timeline.Point q : points) {
                if (!q.at().isAfter(at)) {
                    p = q;
                }
            }
            String version = p == null ? null : served(p, audience, random);
            boolean transition = p != null && at.toEpochMilli() - p.at().toEpochMilli() < 300;
            int status = version == null ? 503 : transition && random.nextInt(8) == 0 ? 599 : 200;
            traffic.record(new Traffic.Response(at, audience, status == 200 ? version : null, status));
        }
        return traffic;
    }

    private static String served(Timeline.Point p, String audience, Random random) {
        List<String> order = List.of("preflight", "internal", "closed", "public", "promoting");
        int stage = p.stage() == null ? -1 : order.indexOf(p.stage());
        boolean canary = p.canary() != null
                && "Progressing".equals(p.phase())
                && switch (audience) {
                    case "internal" -> stage >= 1;
                    case "closed" -> stage >= 2;
                    default -> stage >= 3 && (p.stable() == null || random.nextInt(100) < p.weight());
                };
        return canary ? p.canary() : p.stable();
    }

    private ReportSample() {}
}
