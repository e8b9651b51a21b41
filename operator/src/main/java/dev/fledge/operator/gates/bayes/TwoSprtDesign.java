package dev.fledge.operator.gates.bayes;

import java.util.Collections;
import java.util.LinkedHashMap;
import java.util.Map;

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
 * (computed for batches of 2 to 200 outputs with the defaults) gave fewer errors. When that computation would be too long (a tiny rate), or cannot meet the targets,
 * the thresholds are Ville's bounds {@code ln(1 / target)}, which hold for any schedule.
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
     * over a thousand policies before a design is computed again (a few milliseconds with the defaults, up to about
     * 0.6 s for a maxHarmRate of 1e-4, on the reconcile thread).
     */
    private static final int CACHED = 1024;
    private static final Map<BayesPolicy, TwoSprtDesign> CACHE =
            Collections.synchronizedMap(new LinkedHashMap<>(16, 0.75f, true) {
                @Override
                protected boolean removeEldestEntry(Map.Entry<BayesPolicy, TwoSprtDesign> eldest) {
                    return size() > CACHED;
                }
            });

    /** The design for a policy, computed once per policy (a few milliseconds with the defaults). */
    public static TwoSprtDesign of(BayesPolicy policy) {
        TwoSprtDesign d = CACHE.get(policy);
        if (d == null) {
            d = new TwoSprtCalibration(policy).design();
            CACHE.put(policy, d);
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
