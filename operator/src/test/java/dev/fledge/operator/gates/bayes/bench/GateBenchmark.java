package dev.fledge.operator.gates.bayes.bench;

import dev.fledge.operator.gates.bayes.BayesPolicy;
import dev.fledge.operator.gates.bayes.SequentialBayesRule;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import java.util.SplittableRandom;

/**
 * {@code make bench-gates}: simulates streams of model outputs with a known harmful rate and runs the promotion rules
 * on the same streams: Fledge's gate (Lorden's 2-SPRT with posterior conditions), Wald's SPRT between the same two
 * rates, the fixed-sample binomial test and the plain threshold rule. Prints false-promote rate, false-rollback rate
 * and mean samples to a decision, the mean samples per true rate with their maximum, and each goal with MET or NOT
 * MET; writes {@code safety-gate-benchmark.csv}, {@code .svg} and {@code .md} into the given directory.
 * <p>
 * A rate at or above {@code maxHarmRate} (1%) must not be promoted; a rate below it should be. A Bayesian run that is
 * still undecided at the deadline counts as a rollback (the operator rolls back when the progress deadline passes).
 */
public final class GateBenchmark {
    static final double MAX = 0.01;
    static final double[] RATES = {0.001, 0.002, 0.003, 0.005, 0.007, 0.01, 0.015, 0.02, 0.03, 0.05};
    /** The goal on the largest mean sample count over {@link #RATES}. */
    static final double WORST_MEAN_GOAL = 400;

    static final double FALSE_PROMOTE_GOAL = 0.01;
    static final double FALSE_ROLLBACK_GOAL = 0.05;
    static final int STREAM = 2000;
    static final double TOLERABLE = BayesPolicy.defaults(MAX).tolerableRate();
    static final double HARMFUL = BayesPolicy.defaults(MAX).harmfulRate();

    public static void main(String[] args) throws IOException {
        Path out = Path.of(args.length > 0 ? args[0] : "docs");
        int runs = args.length > 1 ? Integer.parseInt(args[1]) : 20_000;
        long seed = args.length > 2 ? Long.parseLong(args[2]) : 20261128L;
        BayesPolicy policy = BayesPolicy.defaults(MAX);
        List<StoppingRule> rules = List.of(
                new BayesianGateRule(new SequentialBayesRule(policy), 10, STREAM),
                new SprtRule(TOLERABLE, HARMFUL, 1 - policy.confidence(), policy.missAtHarmful(), 10, STREAM),
                new FixedBinomialRule(500, 3),
                new ThresholdRule(100, MAX),
                new ThresholdRule(500, MAX));
        List<Row> rows = new ArrayList<>();
        for (double rate : RATES) {
            rows.addAll(simulate(rules, rate, runs, new SplittableRandom(seed ^ Double.doubleToLongBits(rate))));
        }
        print(rows, runs);
        Files.createDirectories(out);
        Files.writeString(out.resolve("safety-gate-benchmark.csv"), csv(rows));
        Files.writeString(out.resolve("safety-gate-benchmark.svg"), new BenchmarkPlot(rows, RATES).svg());
        List<String> goals = goals(rows);
        goals.forEach(System.out::println);
        Files.writeString(
                out.resolve("safety-gate-benchmark.md"),
                new BenchmarkReport(rows, RATES, runs, seed, policy).markdown(goals));
    }

    /**
     * @param meanSamples        mean samples per run; an undecided run counts the whole stream (the deadline)
     * @param meanDecidedSamples mean samples of the runs that reached a decision before the deadline
     */
    record Row(
            String rule,
            double rate,
            int runs,
            int promoted,
            int rolledBack,
            int undecided,
            double meanSamples,
            double meanDecidedSamples) {
        boolean bad() {
            return rate >= MAX;
        }

        double promoteRate() {
            return (double) promoted / runs;
        }

        /** Rollbacks of a good model, undecided runs included (the deadline rolls them back). */
        double rollbackRate() {
            return (double) (rolledBack + undecided) / runs;
        }

        double falsePromote() {
            return bad() ? promoteRate() : Double.NaN;
        }

        double falseRollback() {
            return bad() ? Double.NaN : rollbackRate();
        }
    }

    static List<Row> simulate(List<StoppingRule> rules, double rate, int runs, SplittableRandom rnd) {
        int[][] counts = new int[rules.size()][3];
        long[] samples = new long[rules.size()];
        long[] decidedSamples = new long[rules.size()];
        boolean[] stream = new boolean[STREAM];
        for (int r = 0; r < runs; r++) {
            for (int i = 0; i < STREAM; i++) {
                stream[i] = rnd.nextDouble() < rate;
            }
            for (int k = 0; k < rules.size(); k++) {
                StoppingRule.Outcome o = rules.get(k).run(stream);
                counts[k][o.decision().ordinal()]++;
                samples[k] += o.samples();
                decidedSamples[k] += o.decision() == StoppingRule.Decision.UNDECIDED ? 0 : o.samples();
            }
        }
        List<Row> rows = new ArrayList<>();
        for (int k = 0; k < rules.size(); k++) {
            int decided = counts[k][0] + counts[k][1];
            rows.add(new Row(
                    rules.get(k).name(),
                    rate,
                    runs,
                    counts[k][0],
                    counts[k][1],
                    counts[k][2],
                    (double) samples[k] / runs,
                    decided == 0 ? Double.NaN : (double) decidedSamples[k] / decided));
        }
        return rows;
    }

    static void print(List<Row> rows, int runs) {
        System.out.printf(
                Locale.ROOT,
                "maxHarmRate %.3f, %d simulated streams per true rate; undecided Bayesian runs are rolled back at the deadline (%d samples)%n",
                MAX,
                runs,
                STREAM);
        System.out.printf(
                Locale.ROOT,
                "%-50s %9s %14s %15s %10s %13s %15s%n",
                "rule",
                "true rate",
                "false promote",
                "false rollback",
                "undecided",
                "mean samples",
                "mean if decided");
        for (Row r : rows) {
            System.out.printf(
                    Locale.ROOT,
                    "%-50s %8.1f%% %14s %15s %9.2f%% %13.1f %15.1f%n",
                    r.rule(),
                    r.rate() * 100,
                    pct(r.falsePromote()),
                    pct(r.falseRollback()),
                    100.0 * r.undecided() / r.runs(),
                    r.meanSamples(),
                    r.meanDecidedSamples());
        }
        System.out.println();
        System.out.println("mean samples to a decision per true rate:");
        meanTable(rows).forEach(System.out::println);
        System.out.println();
    }

    /** Mean samples to a decision per true rate: Fledge's gate, Wald's SPRT and the fixed test, and their maxima. */
    static List<String> meanTable(List<Row> rows) {
        List<Row> bayes = of(rows, "bayes");
        List<Row> sprt = of(rows, "wald");
        List<Row> fixed = of(rows, "fixed");
        List<String> lines = new ArrayList<>();
        lines.add("| true rate | Fledge (2-SPRT) | Wald's SPRT | fixed test |");
        lines.add("|---:|---:|---:|---:|");
        for (int i = 0; i < bayes.size(); i++) {
            lines.add(String.format(
                    Locale.ROOT,
                    "| %.1f%% | %.1f | %.1f | %.0f |",
                    bayes.get(i).rate() * 100,
                    bayes.get(i).meanSamples(),
                    sprt.get(i).meanSamples(),
                    fixed.get(i).meanSamples()));
        }
        lines.add(String.format(
                Locale.ROOT,
                "| **largest** | **%.1f** | **%.1f** | **%.0f** |",
                worstMean(bayes),
                worstMean(sprt),
                worstMean(fixed)));
        return lines;
    }

    static String csv(List<Row> rows) {
        StringBuilder sb = new StringBuilder(
                "rule,true_rate,runs,promote_rate,rollback_rate,undecided_rate,false_promote_rate,false_rollback_rate,mean_samples,mean_samples_if_decided\n");
        for (Row r : rows) {
            sb.append(String.format(
                    Locale.ROOT,
                    "\"%s\",%.4f,%d,%.5f,%.5f,%.5f,%s,%s,%.1f,%.1f%n",
                    r.rule(),
                    r.rate(),
                    r.runs(),
                    r.promoteRate(),
                    r.rollbackRate(),
                    (double) r.undecided() / r.runs(),
                    num(r.falsePromote()),
                    num(r.falseRollback()),
                    r.meanSamples(),
                    r.meanDecidedSamples()));
        }
        return sb.toString();
    }

    /** The rows of one rule, in the order of {@link #RATES}. */
    static List<Row> of(List<Row> rows, String prefix) {
        return rows.stream().filter(r -> r.rule().startsWith(prefix)).toList();
    }

    static double worstMean(List<Row> rows) {
        return rows.stream().mapToDouble(Row::meanSamples).max().orElse(Double.NaN);
    }

    /** Each goal with MET or NOT MET, as printed and written into the report. */
    static List<String> goals(List<Row> rows) {
        List<Row> bayes = of(rows, "bayes");
        List<Row> sprt = of(rows, "wald");
        List<Row> fixed = of(rows, "fixed");
        double fp = bayes.stream()
                .filter(r -> r.rate() >= HARMFUL)
                .mapToDouble(Row::falsePromote)
                .max()
                .orElse(1);
        double fr = bayes.stream()
                .filter(r -> r.rate() <= TOLERABLE)
                .mapToDouble(Row::falseRollback)
                .max()
                .orElse(1);
        double worst = worstMean(bayes);
        double bayesMean =
                bayes.stream().mapToDouble(Row::meanSamples).average().orElse(0);
        double fixedMean =
                fixed.stream().mapToDouble(Row::meanSamples).average().orElse(0);
        List<String> lines = new ArrayList<>();
        lines.add(String.format(
                Locale.ROOT,
                "goal: false promotion at >= %.0f%% <= %.0f%%: %s (worst %.2f%%)",
                HARMFUL * 100,
                FALSE_PROMOTE_GOAL * 100,
                ok(fp <= FALSE_PROMOTE_GOAL),
                fp * 100));
        lines.add(String.format(
                Locale.ROOT,
                "goal: false rollback at <= %.1f%% <= %.0f%%: %s (worst %.2f%%, undecided runs included)",
                TOLERABLE * 100,
                FALSE_ROLLBACK_GOAL * 100,
                ok(fr <= FALSE_ROLLBACK_GOAL),
                fr * 100));
        lines.add(String.format(
                Locale.ROOT,
                "goal: largest mean samples over the true rates %.1f%%-%.0f%% <= %.0f: %s (%.0f at %.1f%%; Wald's SPRT %.0f, fixed test %.0f)",
                RATES[0] * 100,
                RATES[RATES.length - 1] * 100,
                WORST_MEAN_GOAL,
                ok(worst <= WORST_MEAN_GOAL),
                worst,
                bayes.stream()
                                .filter(r -> r.meanSamples() == worst)
                                .findFirst()
                                .orElseThrow()
                                .rate()
                        * 100,
                worstMean(sprt),
                worstMean(fixed)));
        lines.add(String.format(
                Locale.ROOT,
                "goal: mean samples >= 30%% fewer than the fixed test on average over the rates: %s (%.0f vs %.0f, %.0f%% fewer)",
                ok(bayesMean <= 0.7 * fixedMean),
                bayesMean,
                fixedMean,
                100 * (1 - bayesMean / fixedMean)));
        for (int i = 0; i < bayes.size(); i++) {
            Row b = bayes.get(i);
            double ratio = b.meanSamples() / fixed.get(i).meanSamples();
            boolean zone = b.rate() > TOLERABLE && b.rate() < HARMFUL;
            lines.add(String.format(
                    Locale.ROOT,
                    "  at %.1f%%: %.0f samples (Wald's SPRT %.0f), %.0f%% fewer than the fixed test: %s%s",
                    b.rate() * 100,
                    b.meanSamples(),
                    sprt.get(i).meanSamples(),
                    100 * (1 - ratio),
                    ok(ratio <= 0.7),
                    zone
                            ? String.format(
                                    Locale.ROOT,
                                    " (inside the indifference zone; %.2f%% undecided at the deadline)",
                                    100.0 * b.undecided() / b.runs())
                            : ""));
        }
        return lines;
    }

    static String ok(boolean b) {
        return b ? "MET" : "NOT MET";
    }

    static String pct(double x) {
        return Double.isNaN(x) ? "-" : String.format(Locale.ROOT, "%.2f%%", x * 100);
    }

    private static String num(double x) {
        return Double.isNaN(x) ? "" : String.format(Locale.ROOT, "%.5f", x);
    }
}
