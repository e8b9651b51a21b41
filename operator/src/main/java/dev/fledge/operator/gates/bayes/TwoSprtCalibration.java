package dev.fledge.operator.gates.bayes;

import dev.fledge.api.status.Verdict;
import java.util.Arrays;
import java.util.function.LongConsumer;

/**
 * Finds the smallest 2-SPRT thresholds that keep {@link #MARGIN} of a policy's error targets ({@link TwoSprtDesign}): the exact
 * probabilities of a wrong verdict at the tolerable and at the harmful rate, over every binomial path with a check
 * after every output, the posterior conditions of {@link SequentialBayesRule} included.
 */
final class TwoSprtCalibration {
    /** Bisection steps on a log threshold in [0, ln(1 / target)]: a precision of about 0.001. */
    private static final int STEPS = 13;

    private static final int ROUNDS = 8;
    /**
     * The share of each error target the thresholds aim at: room for check schedules other than every output (none
     * seen above it) and for the sampling error of a simulation that checks the targets.
     */
    static final double MARGIN = 0.9;
    /** Probability left on a path below which the computation stops following it (counted as an error). */
    private static final double NEGLIGIBLE = 1e-15;
    /**
     * The work one design may take, in binomial cells visited plus {@link #POSTERIOR_COST} per posterior evaluation
     * (a Beta survival function, the dearer step): past it the design is Ville's bounds.
     */
    static final long BUDGET = 15_000_000L;
    /** A posterior evaluation, in binomial cells. */
    static final long POSTERIOR_COST = 100;

    private final BayesPolicy policy;
    private final double middle;
    private final double falseFail;
    private final double falsePass;
    private final int horizon;
    private final PosteriorLimits limits;
    private long work;

    TwoSprtCalibration(BayesPolicy policy) {
        this.policy = policy;
        this.middle = TwoSprtDesign.neutralRate(policy.tolerableRate(), policy.harmfulRate());
        this.falseFail = MARGIN * (1 - policy.confidence());
        this.falsePass = MARGIN * policy.missAtHarmful();
        this.horizon =
                (int) Math.min(Integer.MAX_VALUE - 1, Math.ceil(2 * apex(ville(falseFail), ville(falsePass))) + 10);
        this.limits = new PosteriorLimits(policy, this::spend);
    }

    /** Ville's bounds for a policy, not calibrated: they hold for any check schedule. */
    static TwoSprtDesign fallback(BayesPolicy policy) {
        return new TwoSprtDesign(
                TwoSprtDesign.neutralRate(policy.tolerableRate(), policy.harmfulRate()),
                ville(MARGIN * (1 - policy.confidence())),
                ville(MARGIN * policy.missAtHarmful()),
                false);
    }

    /** The work spent so far, in binomial cells ({@link #BUDGET}). */
    long work() {
        return work;
    }

    /** The calibrated design, or {@link #fallback} when it cannot be computed within {@link #BUDGET}. */
    TwoSprtDesign design() {
        if (horizon > TwoSprtDesign.MAX_HORIZON) {
            return fallback(policy);
        }
        try {
            return calibrate();
        } catch (OverBudget e) {
            return fallback(policy);
        }
    }

    private void spend(long cells) {
        work += cells;
        if (work > BUDGET) {
            throw new OverBudget();
        }
    }

    /** Thrown when a design would cost more than {@link #BUDGET}. */
    private static final class OverBudget extends RuntimeException {
        OverBudget() {
            super(null, null, false, false);
        }
    }

    private TwoSprtDesign calibrate() {
        TwoSprtDesign fallback = fallback(policy);
        double logFail = 0;
        double logPass = 0;
        for (int r = 0; r < ROUNDS; r++) {
            double[] errors = errors(logFail, logPass);
            if (errors[0] <= falseFail && errors[1] <= falsePass) {
                return new TwoSprtDesign(middle, logFail, logPass, true);
            }
            double p = logPass;
            logFail = smallest(ville(falseFail), x -> errors(x, p)[0] <= falseFail);
            double f = logFail;
            logPass = smallest(ville(falsePass), x -> errors(f, x)[1] <= falsePass);
        }
        double[] errors = errors(logFail, logPass);
        return errors[0] <= falseFail && errors[1] <= falsePass
                ? new TwoSprtDesign(middle, logFail, logPass, true)
                : fallback;
    }

    private static double ville(double target) {
        return Math.log(1 / target);
    }

    /** Where the two boundary lines (without the posterior conditions) meet, in outputs. */
    private double apex(double logFail, double logPass) {
        double t = policy.tolerableRate();
        double h = policy.harmfulRate();
        double flagFail = Math.log(middle / t);
        double cleanFail = Math.log1p(-t) - Math.log1p(-middle);
        double flagPass = Math.log(h / middle);
        double cleanPass = Math.log1p(-middle) - Math.log1p(-h);
        double slopes = cleanPass / (flagPass + cleanPass) - cleanFail / (flagFail + cleanFail);
        return (logFail / (flagFail + cleanFail) + logPass / (flagPass + cleanPass)) / slopes;
    }

    private interface Test {
        boolean holds(double x);
    }

    /** The smallest x in [0, max] (to the bisection's precision) where a condition that only gets truer holds. */
    private static double smallest(double max, Test t) {
        if (t.holds(0)) {
            return 0;
        }
        double lo = 0;
        double hi = max;
        for (int i = 0; i < STEPS; i++) {
            double mid = (lo + hi) / 2;
            if (t.holds(mid)) {
                hi = mid;
            } else {
                lo = mid;
            }
        }
        return hi;
    }

    /** {P(fail or undecided | tolerable), P(pass or undecided | harmful)}. */
    double[] errors(double logFail, double logPass) {
        TwoSprtDesign d = new TwoSprtDesign(middle, logFail, logPass, true);
        return new double[] {
            wrong(d, policy.tolerableRate(), Verdict.FAIL), wrong(d, policy.harmfulRate(), Verdict.PASS)
        };
    }

    /** The probability of {@code wrong}, or of no verdict by the horizon, when the true rate is {@code rate}. */
    private double wrong(TwoSprtDesign d, double rate, Verdict wrong) {
        double[] mass = new double[16];
        double[] next = new double[16];
        mass[0] = 1;
        int lo = 0;
        int hi = 0;
        // the highest index of next that may hold an old value (below lo nothing is read again)
        int dirty = 0;
        double errors = 0;
        double left = 1;
        for (int n = 1; n <= horizon && left > NEGLIGIBLE; n++) {
            if (hi + 2 > next.length) {
                mass = Arrays.copyOf(mass, 2 * next.length);
                next = new double[mass.length];
            }
            Arrays.fill(next, lo, Math.max(hi + 2, dirty + 1), 0);
            for (int k = lo; k <= hi; k++) {
                next[k] += mass[k] * (1 - rate);
                next[k + 1] += mass[k] * rate;
            }
            double[] t = mass;
            mass = next;
            next = t;
            dirty = hi;
            hi++;
            spend(hi - lo + 1);
            left = 0;
            int newLo = -1;
            int newHi = -1;
            for (int k = lo; k <= hi; k++) {
                double m = mass[k];
                if (m == 0) {
                    continue;
                }
                Verdict v = SequentialBayesRule.decide(
                        d, policy, n, k, k <= limits.mostFlagsToPass(n), k >= limits.fewestFlagsToFail(n));
                if (v == Verdict.INCONCLUSIVE && m > NEGLIGIBLE * 1e-3) {
                    left += m;
                    newLo = newLo < 0 ? k : newLo;
                    newHi = k;
                    continue;
                }
                errors += v == wrong || v == Verdict.INCONCLUSIVE ? m : 0;
                mass[k] = 0;
            }
            if (newLo < 0) {
                return errors;
            }
            Arrays.fill(mass, lo, newLo, 0);
            lo = newLo;
            hi = newHi;
        }
        return errors + left;
    }

    /**
     * Per number of outputs, the flag counts where the posterior conditions allow a verdict: a pass needs
     * P(rate &gt; maxRate) &le; 1 - confidence (at most {@link #mostFlagsToPass}), a fail P(rate &gt; tolerableRate)
     * &ge; confidence (at least {@link #fewestFlagsToFail}). Both grow with the outputs, so each is found from the last.
     */
    static final class PosteriorLimits {
        private final BayesPolicy policy;
        private final LongConsumer spend;
        private int[] pass = new int[1024];
        private int[] fail = new int[1024];
        private int known = -1;

        PosteriorLimits(BayesPolicy policy, LongConsumer spend) {
            this.policy = policy;
            this.spend = spend;
        }

        int mostFlagsToPass(int n) {
            extend(n);
            return pass[n];
        }

        int fewestFlagsToFail(int n) {
            extend(n);
            return fail[n];
        }

        private void extend(int n) {
            if (n <= known) {
                return;
            }
            if (n >= pass.length) {
                int size = Math.max(n + 1, 2 * pass.length);
                pass = Arrays.copyOf(pass, size);
                fail = Arrays.copyOf(fail, size);
            }
            for (int m = known + 1; m <= n; m++) {
                int p = m == 0 ? -1 : pass[m - 1];
                while (p + 1 <= m && above(m, p + 1, policy.maxRate()) <= 1 - policy.confidence()) {
                    p++;
                }
                int f = m == 0 ? 0 : fail[m - 1];
                while (f <= m && above(m, f, policy.tolerableRate()) < policy.confidence()) {
                    f++;
                }
                pass[m] = p;
                fail[m] = f;
            }
            known = n;
        }

        private double above(int n, int k, double x) {
            spend.accept(POSTERIOR_COST);
            return BetaPosterior.of(policy.priorAlpha(), policy.priorBeta(), new Evidence(n, k))
                    .probabilityAbove(x);
        }
    }
}
