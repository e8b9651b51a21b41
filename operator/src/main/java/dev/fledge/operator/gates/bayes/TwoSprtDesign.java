package dev.fledge.operator.gates.bayes;

import java.util.LinkedHashMap;
import java.util.Map;
import java.util.concurrent.CompletableFuture;
import java.util.function.Function;

/**
 * The boundaries of Lorden's 2-SPRT (G. Lorden, "2-SPRT's and the modified Kiefer-Weiss problem of minimizing an
 * expected sample size", Annals of Statistics 4(2):281-291, 1976) for one {@link BayesPolicy}: two one-sided
 * likelihood-ratio tests that both start from a middle rate inside the indifference zone.
 * <ul>
 * <li>Fail when the likelihood ratio of the middle rate over the tolerable rate reaches {@code e^logFail};</li>
 * <li>pass when the likelihood ratio of the middle rate over the harmful rate reaches {@code e^logPass}.</li>
 * </ul>
 * The two boundaries are lines in (outputs, flags) that meet, so the test ends after a bounded number of outputs,
 * and its worst expected sample size, which Wald's SPRT reaches inside the zone, is much smaller. The middle rate is
 * the SPRT's neutral rate, where the likelihood ratio of tolerable over harmful has no drift (Lorden's test is most
 * useful where the SPRT is slowest).
 * <p>
 * The two thresholds are the smallest that keep the error targets, with a margin, with the policy's posterior
 * conditions in place ({@link SequentialBayesRule}): P(fail | rate = tolerable) &le; 0.9 &times;
 * {@code (1 - confidence)} and P(pass | rate = harmful) &le; 0.9 &times; {@code missAtHarmful}, computed exactly (not simulated) over the binomial paths with a check after every
 * output, the densest schedule; a run still undecided at the horizon counts as an error both ways. Checks in batches
 * (computed for batches of 2 to 200 outputs with the defaults) gave fewer errors. When that computation would be too long, or cannot meet the targets, or fails, the thresholds are Ville's
 * bounds {@code ln(1 / target)}, which hold for any schedule. Too long is a horizon over {@link #MAX_HORIZON} or
 * more than {@link TwoSprtCalibration#BUDGET} binomial cells (a posterior evaluation counting as
 * {@link TwoSprtCalibration#POSTERIOR_COST}): at most about 0.5 s of one core on the 2-core development machine
 * (before the budget a maxHarmRate of 1e-4 took 1.1 s with the default prior, 1.19e-4 with a prior of (1e-9, 1e9)
 * 91 s). With the default prior a maxHarmRate of 5e-4 is calibrated (7.6 million cells); 2e-4 (19 million) and
 * below get Ville's bounds.
 *
 * @param middleRate the rate both one-sided tests start from
 * @param logFail    ln of the likelihood ratio (middle over tolerable) a fail needs
 * @param logPass    ln of the likelihood ratio (middle over harmful) a pass needs
 * @param calibrated whether the thresholds are computed for the targets (false: Ville's bounds)
 */
public record TwoSprtDesign(double middleRate, double logFail, double logPass, boolean calibrated) {
    /** The longest path the exact computation follows; a longer horizon gets Ville's bounds. */
    static final int MAX_HORIZON = 200_000;

    /**
     * Designs kept, most recently used first: a record of four numbers each. Enough that releases have to differ in
     * over a thousand policies before a design is computed again (a few milliseconds with the defaults; a policy whose
     * computation exceeds {@link TwoSprtCalibration#BUDGET} gets Ville's bounds, at most about 0.5 s of one core).
     */
    private static final int CACHED = 1024;

    private static final Map<BayesPolicy, CompletableFuture<TwoSprtDesign>> CACHE =
            new LinkedHashMap<>(16, 0.75f, true) {
                @Override
                protected boolean removeEldestEntry(Map.Entry<BayesPolicy, CompletableFuture<TwoSprtDesign>> eldest) {
                    return size() > CACHED;
                }
            };

    /**
     * The design for a policy, computed once per policy (a few milliseconds with the defaults): a caller asking while
     * another computes the same policy waits for its result. Never throws: a computation that fails gives Ville's
     * bounds, kept like any design.
     */
    public static TwoSprtDesign of(BayesPolicy policy) {
        return of(policy, p -> new TwoSprtCalibration(p).design());
    }

    static TwoSprtDesign of(BayesPolicy policy, Function<BayesPolicy, TwoSprtDesign> calibration) {
        CompletableFuture<TwoSprtDesign> mine = new CompletableFuture<>();
        CompletableFuture<TwoSprtDesign> known;
        synchronized (CACHE) {
            known = CACHE.putIfAbsent(policy, mine);
        }
        if (known != null) {
            return known.join();
        }
        TwoSprtDesign d = TwoSprtCalibration.fallback(policy);
        try {
            d = calibration.apply(policy);
        } catch (RuntimeException e) {
            // e.g. a prior whose posterior Commons Statistics cannot evaluate: Ville's bounds need no posterior
        } finally {
            mine.complete(d);
        }
        return d;
    }

    /** The SPRT's neutral rate: where ln(L(tolerable) / L(harmful)) has zero drift, between the two. */
    public static double neutralRate(double tolerable, double harmful) {
        double perFlag = Math.log(harmful / tolerable);
        double perClean = Math.log1p(-tolerable) - Math.log1p(-harmful);
        return perClean / (perFlag + perClean);
    }

    /** ln(L(a) / L(b)) for {@code flagged} of {@code samples} outputs. */
    public static double logLikelihoodRatio(double a, double b, long samples, long flagged) {
        return flagged * Math.log(a / b) + (samples - flagged) * (Math.log1p(-a) - Math.log1p(-b));
    }
}
