package dev.fledge.operator.gates.bayes.bench;

import dev.fledge.operator.gates.bayes.BayesPolicy;
import dev.fledge.operator.gates.bayes.TwoSprtDesign;
import java.util.List;
import java.util.Locale;

/** {@code docs/safety-gate-benchmark.md}: what {@code make bench-gates} measured, written by it. */
record BenchmarkReport(List<GateBenchmark.Row> rows, double[] rates, int runs, long seed, BayesPolicy policy) {
    String markdown(List<String> goals) {
        TwoSprtDesign d = TwoSprtDesign.of(policy);
        StringBuilder sb = new StringBuilder();
        sb.append("# Safety gate benchmark\n\n");
        sb.append(
                "Written by `make bench-gates` (`GateBenchmark` in the operator's test sources); do not edit by hand.\n");
        sb.append(String.format(
                Locale.ROOT,
                "%d simulated output streams per true harmful rate (seed %d), `maxHarmRate` %.0f%%, the gate's defaults "
                        + "(indifference zone %.1f%% to %.1f%%, `confidence` %.2f, prior Beta(%.0f, %.0f)), checked "
                        + "every 10 outputs; a run still undecided after %d outputs counts as a rollback, as the stage "
                        + "deadline does. The same streams go through every rule. Figures: "
                        + "[CSV](safety-gate-benchmark.csv), [SVG](safety-gate-benchmark.svg).\n\n",
                runs,
                seed,
                policy.maxRate() * 100,
                policy.tolerableRate() * 100,
                policy.harmfulRate() * 100,
                policy.confidence(),
                policy.priorAlpha(),
                policy.priorBeta(),
                GateBenchmark.STREAM));
        sb.append("## The rule\n\n");
        sb.append(String.format(
                Locale.ROOT,
                "The gate (`SequentialBayesRule`) is Lorden's 2-SPRT: G. Lorden, \"2-SPRT's and the modified "
                        + "Kiefer-Weiss problem of minimizing an expected sample size\", *Annals of Statistics* "
                        + "4(2):281-291, 1976. Two one-sided likelihood-ratio tests start from a middle rate inside "
                        + "the zone, the neutral rate of Wald's SPRT between the tolerable and the harmful rate "
                        + "(%.3f%% with the defaults): it **fails** when the likelihood ratio of the middle rate over "
                        + "the tolerable rate reaches %.2f and the posterior P(rate > tolerable) is at least "
                        + "`confidence`; it **passes** when the likelihood ratio of the middle rate over the harmful "
                        + "rate reaches %.2f and the posterior P(rate > `maxHarmRate`) is at most 1 - `confidence`; "
                        + "where both hold, the Bayes factor of tolerable over harmful decides. Its two boundaries "
                        + "meet, so it decides inside the zone too, where Wald's SPRT wanders longest.\n\n",
                d.middleRate() * 100,
                Math.exp(d.logFail()),
                Math.exp(d.logPass())));
        sb.append("The two thresholds (`TwoSprtDesign`) are the smallest that keep the error targets, with a margin, "
                + "with the posterior conditions in place: P(fail) <= 0.9 x (1 - `confidence`) at the tolerable rate "
                + "and P(pass) <= 0.9 x 1% at the harmful rate, computed exactly over the binomial paths (not "
                + "simulated) with a check after every output, the densest schedule; checks in batches of 2 to 200 "
                + "outputs gave fewer errors. So a prior "
                + "changes how fast the gate decides, not how often it is wrong at those two rates. When that "
                + "computation cannot meet the targets (a prior that holds verdicts for very long) or would be "
                + "too long (a tiny rate), the thresholds are Ville's bounds 1 / (0.9 x target), which hold for any "
                + "schedule. The status keeps the posterior figures: mean, upper bound, P(rate > `maxHarmRate`).\n\n");
        sb.append("## Mean samples to a decision\n\n");
        GateBenchmark.meanTable(rows).forEach(l -> sb.append(l).append('\n'));
        sb.append("\nThe fixed test judges 500 outputs and rolls back above 3 flags. Wald's SPRT tests the same two "
                + "rates with Wald's thresholds (pass at a likelihood ratio of 95, fail at 19.8).\n\n");
        sb.append("## Wrong decisions\n\n");
        sb.append("False promotion at rates >= `maxHarmRate`, false rollback (undecided runs included) below it.\n\n");
        sb.append("| rule | ");
        for (double r : rates) {
            sb.append(String.format(Locale.ROOT, "%.1f%% | ", r * 100));
        }
        sb.append('\n').append("|---|").append("---:|".repeat(rates.length)).append('\n');
        for (String rule : rows.stream().map(GateBenchmark.Row::rule).distinct().toList()) {
            sb.append("| `").append(rule).append("` | ");
            for (GateBenchmark.Row r : rows) {
                if (r.rule().equals(rule)) {
                    sb.append(GateBenchmark.pct(r.bad() ? r.falsePromote() : r.falseRollback()))
                            .append(" | ");
                }
            }
            sb.append('\n');
        }
        sb.append("\n## Goals\n\n```\n");
        goals.forEach(g -> sb.append(g).append('\n'));
        sb.append("```\n\n![wrong decisions and mean samples per true rate](safety-gate-benchmark.svg)\n");
        return sb.toString();
    }
}
