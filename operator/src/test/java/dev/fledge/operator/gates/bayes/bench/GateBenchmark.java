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
 * {@code make bench-gates}: simulates streams of model outputs with a known harmful rate and runs three promotion
 * rules on the same streams: Fledge's Bayesian sequential gate, the fixed-sample binomial test and the plain
 * threshold rule. Prints false-promote rate, false-rollback rate and mean samples to a decision; writes
 * {@code safety-gate-benchmark.csv} and {@code safety-gate-benchmark.svg} into the given directory.
 * <p>
 * A rate at or above {@code maxHarmRate} (1%) must not be promoted; a rate below it should be. A Bayesian run that is
 * still undecided at the deadline counts as a rollback (the operator rolls back when the progress deadline passes).
 */
public final class GateBenchmark {
    static final double MAX = 0.01;
    static final double[] RATES = {0.002, 0.005, 0.01, 0.02, 0.05};
    static final int STREAM = 2000;
    static final double TOLERABLE = BayesPolicy.defaults(MAX).tolerableRate();
    static final double HARMFUL = BayesPolicy.defaults(MAX).harmfulRate();

    public static void main(String[] args) throws IOException {
        Path out = Path.of(args.length > 0 ? args[0] : "docs");
        int runs = args.length > 1 ? Integer.parseInt(args[1]) : 20_000;
        long seed = args.length > 2 ? Long.parseLong(args[2]) : 20261128L;
        List<StoppingRule> rules = List.of(
                new BayesianGateRule(new SequentialBayesRule(BayesPolicy.defaults(MAX)), 10, STREAM),
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
        goals(rows);
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

    static void goals(List<Row> rows) {
        List<Row> bayes =
                rows.stream().filter(r -> r.rule().startsWith("bayes")).toList();
        List<Row> fixed =
                rows.stream().filter(r -> r.rule().startsWith("fixed")).toList();
        double fp = bayes.stream()
                .filter(r -> r.rate() >= 0.02)
                .mapToDouble(Row::falsePromote)
                .max()
                .orElse(1);
        double fr = bayes.stream()
                .filter(r -> r.rate() == 0.002)
                .mapToDouble(Row::falseRollback)
                .max()
                .orElse(1);
        double bayesMean =
                bayes.stream().mapToDouble(Row::meanSamples).average().orElse(0);
        double fixedMean =
                fixed.stream().mapToDouble(Row::meanSamples).average().orElse(0);
        System.out.printf(
                Locale.ROOT, "goal: false promotion at >=2%% <= 1%%: %s (worst %.2f%%)%n", ok(fp <= 0.01), fp * 100);
        System.out.printf(
                Locale.ROOT,
                "goal: false rollback at 0.2%% <= 5%%: %s (%.2f%%, undecided runs included)%n",
                ok(fr <= 0.05),
                fr * 100);
        System.out.printf(
                Locale.ROOT,
                "goal: mean samples >= 30%% fewer than the fixed test: %s on average over the five rates (%.0f vs %.0f, %.0f%% fewer)%n",
                ok(bayesMean <= 0.7 * fixedMean),
                bayesMean,
                fixedMean,
                100 * (1 - bayesMean / fixedMean));
        for (int i = 0; i < bayes.size(); i++) {
            Row b = bayes.get(i);
            double ratio = b.meanSamples() / fixed.get(i).meanSamples();
            boolean zone = b.rate() > TOLERABLE && b.rate() < HARMFUL;
            System.out.printf(
                    Locale.ROOT,
                    "  at %.1f%%: %.0f samples, %.0f%% fewer than the fixed test: %s%s%n",
                    b.rate() * 100,
                    b.meanSamples(),
                    100 * (1 - ratio),
                    ok(ratio <= 0.7),
                    zone
                            ? String.format(
                                    Locale.ROOT,
                                    " (inside the indifference zone %.1f%%-%.1f%%; %.2f%% undecided at the deadline)",
                                    TOLERABLE * 100,
                                    HARMFUL * 100,
                                    100.0 * b.undecided() / b.runs())
                            : "");
        }
    }

    private static String ok(boolean b) {
        return b ? "MET" : "NOT MET";
    }

    private static String pct(double x) {
        return Double.isNaN(x) ? "-" : String.format(Locale.ROOT, "%.2f%%", x * 100);
    }

    private static String num(double x) {
        return Double.isNaN(x) ? "" : String.format(Locale.ROOT, "%.5f", x);
    }
}
