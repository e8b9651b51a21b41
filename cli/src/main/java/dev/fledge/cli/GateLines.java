package dev.fledge.cli;

import dev.fledge.api.status.GateResult;
import dev.fledge.api.status.ModelReleaseStatus;
import dev.fledge.core.rollout.GatePlan;
import dev.fledge.core.rollout.Plan;
import java.math.BigDecimal;
import java.math.MathContext;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/** The Gates branch: every gate's latest verdict with its evidence (status.gates[]) and its reason. */
final class GateLines {
    private final Plan plan;
    private final ModelReleaseStatus st;
    private final Instant now;
    private final Style style;

    GateLines(Plan plan, ModelReleaseStatus st, Instant now, Style style) {
        this.plan = plan;
        this.st = st;
        this.now = now;
        this.style = style;
    }

    Tree tree() {
        Map<String, GateResult> results = new LinkedHashMap<>();
        if (st.getGates() != null) {
            st.getGates().forEach(g -> results.put(g.getName(), g));
        }
        plan.gates().forEach(g -> results.putIfAbsent(g.name(), null));
        String when = st.getLastAnalysisAt() == null
                ? "not run yet"
                : "last run " + Durations.age(Duration.between(Instant.parse(st.getLastAnalysisAt()), now)) + " ago";
        Tree gates = new Tree("Gates (" + when + ", every " + Durations.exact(plan.interval()) + ")");
        if (results.isEmpty()) {
            gates.add(style.dim("none configured"));
            return gates;
        }
        Table rows = new Table("", "", "");
        List<String> reasons = new ArrayList<>();
        results.forEach((name, r) -> {
            if (r == null) {
                rows.row(name, style.dim("-"), "not evaluated in this rollout");
                reasons.add(null);
            } else {
                String verdict = r.getVerdict() == null ? "-" : r.getVerdict().wireName();
                rows.row(name, style.verdict(r.getVerdict(), verdict), evidence(r));
                reasons.add(r.getReason());
            }
        });
        List<String> lines = rows.render().lines().skip(1).toList();
        int reasonColumn =
                results.keySet().stream().mapToInt(String::length).max().orElse(0) + 3;
        for (int i = 0; i < lines.size(); i++) {
            String reason = reasons.get(i);
            gates.add(
                    reason == null || reason.isBlank()
                            ? new Tree(lines.get(i))
                            : new Tree(lines.get(i), " ".repeat(reasonColumn) + oneLine(reason)));
        }
        return gates;
    }

    private String evidence(GateResult r) {
        List<String> parts = new ArrayList<>();
        if (r.getValue() != null) {
            parts.add("value " + number(r.getValue()));
        }
        if (r.getSamples() != null) {
            parts.add("samples " + r.getSamples());
        }
        if (r.getFlagged() != null) {
            parts.add("flagged " + r.getFlagged());
        }
        if (r.getPAboveMax() != null) {
            parts.add("P(rate>max) " + number(r.getPAboveMax()));
        }
        if (r.getUpperBound() != null) {
            parts.add("upper bound " + number(r.getUpperBound()));
        }
        if (r.getFailures() != null && r.getFailures() > 0) {
            int limit = plan.gates().stream()
                    .filter(g -> g.name().equals(r.getName()))
                    .mapToInt(GatePlan::failureLimit)
                    .findFirst()
                    .orElse(1);
            parts.add("failures " + r.getFailures() + "/" + limit);
        }
        if (Boolean.TRUE.equals(r.getCritical())) {
            parts.add(style.bad("critical"));
        }
        if (r.getAt() != null) {
            parts.add(Durations.age(Duration.between(Instant.parse(r.getAt()), now)) + " ago");
        }
        return String.join(", ", parts);
    }

    /** Four significant digits, no exponent, no trailing zeros: 0.0021, 0.231, 12.5. */
    static String number(double v) {
        if (Double.isNaN(v) || Double.isInfinite(v)) {
            return String.valueOf(v);
        }
        return new BigDecimal(v).round(new MathContext(4)).stripTrailingZeros().toPlainString();
    }

    private static String oneLine(String s) {
        return s.replaceAll("\\s*\\n\\s*", " ").strip();
    }
}
