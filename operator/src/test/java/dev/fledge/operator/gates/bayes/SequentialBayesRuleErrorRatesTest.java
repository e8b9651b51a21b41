package dev.fledge.operator.gates.bayes;

import static org.assertj.core.api.Assertions.assertThat;

import dev.fledge.api.status.Verdict;
import java.util.SplittableRandom;
import org.junit.jupiter.api.Test;

/**
 * The gate's error targets and its worst expected sample size, by simulation with a fixed seed: streams of outputs
 * with a known harmful rate, the rule checked every 10 outputs (as {@code make bench-gates} does) or after every
 * output. The run counts put the sampling error well inside each bound (about 0.15 points at 5%, 0.07 at 1%).
 */
class SequentialBayesRuleErrorRatesTest {
    static final BayesPolicy DEFAULTS = BayesPolicy.defaults(0.01);
    static final int RUNS = 20_000;
    static final int LONGEST = 5_000;

    /** Share of runs that end in {@code verdict} and mean outputs to a verdict (undecided runs count LONGEST). */
    record Outcome(double share, double meanSamples, double undecided) {}

    static Outcome simulate(SequentialBayesRule rule, double rate, int every, int runs, Verdict verdict, long seed) {
        SplittableRandom rnd = new SplittableRandom(seed);
        long hits = 0;
        long samples = 0;
        long undecided = 0;
        for (int r = 0; r < runs; r++) {
            long flagged = 0;
            Verdict v = Verdict.INCONCLUSIVE;
            int n = 0;
            while (v == Verdict.INCONCLUSIVE && n < LONGEST) {
                n++;
                flagged += rnd.nextDouble() < rate ? 1 : 0;
                if (n % every == 0) {
                    v = rule.verdict(new Evidence(n, flagged));
                }
            }
            hits += v == verdict ? 1 : 0;
            undecided += v == Verdict.INCONCLUSIVE ? 1 : 0;
            samples += n;
        }
        return new Outcome((double) hits / runs, (double) samples / runs, (double) undecided / runs);
    }

    @Test
    void aModelAtTwiceTheMaximumIsPromotedAtMostOnePercentOfTheTime() {
        SequentialBayesRule rule = new SequentialBayesRule(DEFAULTS);
        assertThat(simulate(rule, 0.02, 10, RUNS, Verdict.PASS, 1).share()).isLessThanOrEqualTo(0.01);
        assertThat(simulate(rule, 0.02, 1, RUNS, Verdict.PASS, 2).share()).isLessThanOrEqualTo(0.01);
        assertThat(simulate(rule, 0.03, 10, RUNS, Verdict.PASS, 3).share()).isLessThanOrEqualTo(0.01);
    }

    @Test
    void aModelAtAFifthOfTheMaximumIsRolledBackAtMostFivePercentOfTheTime() {
        SequentialBayesRule rule = new SequentialBayesRule(DEFAULTS);
        Outcome every10 = simulate(rule, 0.002, 10, RUNS, Verdict.FAIL, 4);
        Outcome every1 = simulate(rule, 0.002, 1, RUNS, Verdict.FAIL, 5);
        assertThat(every10.share() + every10.undecided()).isLessThanOrEqualTo(0.05);
        assertThat(every1.share() + every1.undecided()).isLessThanOrEqualTo(0.05);
        Outcome lower = simulate(rule, 0.001, 10, RUNS, Verdict.FAIL, 6);
        assertThat(lower.share() + lower.undecided()).isLessThanOrEqualTo(0.05);
    }

    @Test
    void theMeanSampleCountStaysAtOrBelowFourHundredAtEveryTrueRate() {
        SequentialBayesRule rule = new SequentialBayesRule(DEFAULTS);
        double[] rates = {0.001, 0.002, 0.003, 0.005, 0.007, 0.01, 0.015, 0.02, 0.03, 0.05};
        double worst = 0;
        for (int i = 0; i < rates.length; i++) {
            Outcome o = simulate(rule, rates[i], 10, 5_000, Verdict.PASS, 100 + i);
            assertThat(o.undecided()).as("undecided at %s", rates[i]).isZero();
            worst = Math.max(worst, o.meanSamples());
        }
        assertThat(worst).isLessThanOrEqualTo(400);
    }

    @Test
    void aPriorChangesTheSpeedButNotTheErrorTargets() {
        SequentialBayesRule optimist = new SequentialBayesRule(DEFAULTS.withPrior(1, 999));
        SequentialBayesRule uniform = new SequentialBayesRule(DEFAULTS.withPrior(1, 1));
        for (SequentialBayesRule rule : new SequentialBayesRule[] {optimist, uniform}) {
            assertThat(simulate(rule, 0.02, 1, RUNS, Verdict.PASS, 7).share()).isLessThanOrEqualTo(0.01);
            Outcome good = simulate(rule, 0.002, 1, RUNS, Verdict.FAIL, 8);
            assertThat(good.share() + good.undecided()).isLessThanOrEqualTo(0.05);
        }
    }

    @Test
    void theFeedbackGatesPolicyKeepsItsTargetsToo() {
        // as FeedbackGate builds it: zone max / 2 to twice max, confidence 0.9, uniform prior
        SequentialBayesRule rule = new SequentialBayesRule(
                new BayesPolicy(0.1, 0.05, 0.2, 0.9, 1, 1, BayesPolicy.DEFAULT_MISS_AT_HARMFUL));
        assertThat(simulate(rule, 0.2, 1, RUNS, Verdict.PASS, 9).share()).isLessThanOrEqualTo(0.01);
        Outcome good = simulate(rule, 0.05, 1, RUNS, Verdict.FAIL, 10);
        assertThat(good.share() + good.undecided()).isLessThanOrEqualTo(0.1);
    }
}
