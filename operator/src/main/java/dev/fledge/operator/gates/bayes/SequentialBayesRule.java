package dev.fledge.operator.gates.bayes;

import dev.fledge.api.status.Verdict;
import java.util.Locale;

/**
 * The Bayesian sequential gate on a rate, with an indifference zone {@code [tolerableRate, harmfulRate]} around
 * {@code maxRate}: Lorden's 2-SPRT ({@link TwoSprtDesign}) with posterior conditions.
 * <ul>
 * <li>Pass when the likelihood ratio of the middle rate over {@code harmfulRate} reaches the design's pass threshold
 * and the posterior P(rate &gt; maxRate) is at most {@code 1 - confidence}.</li>
 * <li>Fail when the likelihood ratio of the middle rate over {@code tolerableRate} reaches the design's fail
 * threshold and the posterior P(rate &gt; tolerableRate) is at least {@code confidence}.</li>
 * <li>When both hold (near where the two boundaries meet), the Bayes factor of tolerable over harmful decides: Fail
 * below 1, that is when the observed rate is above the middle rate.</li>
 * <li>Otherwise Inconclusive: the stage waits for more evidence.</li>
 * </ul>
 * The middle rate is the SPRT's neutral rate, so the boundaries meet: the test ends after a bounded number of
 * outputs, inside the zone too, and its worst expected sample size is well below Wald's SPRT's. The thresholds are
 * computed for the error targets, with a margin, with the posterior conditions in place (P(fail) &le; 0.9 &times;
 * {@code (1 - confidence)} at the tolerable rate, P(pass) &le; 0.9 &times; {@code missAtHarmful} at the harmful
 * rate), so a prior changes how fast the gate
 * decides, not how often it is wrong at those rates. The posterior conditions tie the verdict to {@code maxRate} and
 * keep a strong prior from deciding against the data. See {@code docs/safety-gate-benchmark.md}.
 */
public final class SequentialBayesRule {
    private final BayesPolicy policy;
    private final TwoSprtDesign design;
    private final double logFlag;
    private final double logClean;

    public SequentialBayesRule(BayesPolicy policy) {
        this.policy = policy;
        this.design = TwoSprtDesign.of(policy);
        this.logFlag = Math.log(policy.tolerableRate() / policy.harmfulRate());
        this.logClean = Math.log1p(-policy.tolerableRate()) - Math.log1p(-policy.harmfulRate());
    }

    public BayesPolicy policy() {
        return policy;
    }

    public TwoSprtDesign design() {
        return design;
    }

    /** The log Bayes factor of H0 (tolerable) over H1 (harmful). */
    public double logBayesFactor(Evidence e) {
        return e.flagged() * logFlag + (e.samples() - e.flagged()) * logClean;
    }

    /** The verdict alone: the posterior only where a likelihood ratio has crossed its threshold, no upper bound. */
    public Verdict verdict(Evidence e) {
        boolean fail = failRatio(design, policy, e.samples(), e.flagged());
        boolean pass = passRatio(design, policy, e.samples(), e.flagged());
        if (!fail && !pass) {
            return Verdict.INCONCLUSIVE;
        }
        BetaPosterior post = BetaPosterior.of(policy.priorAlpha(), policy.priorBeta(), e);
        return decide(
                design,
                policy,
                e.samples(),
                e.flagged(),
                pass && post.probabilityAbove(policy.maxRate()) <= 1 - policy.confidence(),
                fail && post.probabilityAbove(policy.tolerableRate()) >= policy.confidence());
    }

    private static boolean failRatio(TwoSprtDesign d, BayesPolicy p, long n, long k) {
        return TwoSprtDesign.logLikelihoodRatio(d.middleRate(), p.tolerableRate(), n, k) >= d.logFail();
    }

    private static boolean passRatio(TwoSprtDesign d, BayesPolicy p, long n, long k) {
        return TwoSprtDesign.logLikelihoodRatio(d.middleRate(), p.harmfulRate(), n, k) >= d.logPass();
    }

    /**
     * The rule for {@code flagged} of {@code samples}, given whether the posterior allows a pass (P(rate &gt; max)
     * &le; 1 - confidence) and a fail (P(rate &gt; tolerable) &ge; confidence).
     */
    static Verdict decide(
            TwoSprtDesign d,
            BayesPolicy p,
            long samples,
            long flagged,
            boolean posteriorAllowsPass,
            boolean posteriorAllowsFail) {
        if (samples == 0) {
            // no evidence: the posterior is the prior, which alone must not roll a model back or promote it
            return Verdict.INCONCLUSIVE;
        }
        boolean fail = posteriorAllowsFail && failRatio(d, p, samples, flagged);
        boolean pass = posteriorAllowsPass && passRatio(d, p, samples, flagged);
        if (fail && pass) {
            // the Bayes factor of tolerable over harmful is below 1 above the neutral rate
            return flagged > d.middleRate() * samples ? Verdict.FAIL : Verdict.PASS;
        }
        return fail ? Verdict.FAIL : pass ? Verdict.PASS : Verdict.INCONCLUSIVE;
    }

    public BayesAssessment assess(Evidence e) {
        BetaPosterior post = BetaPosterior.of(policy.priorAlpha(), policy.priorBeta(), e);
        double logBf = logBayesFactor(e);
        double pAboveMax = post.probabilityAbove(policy.maxRate());
        double mean = post.mean();
        double upper = post.upperBound(policy.confidence());
        Verdict v = decide(
                design,
                policy,
                e.samples(),
                e.flagged(),
                pAboveMax <= 1 - policy.confidence(),
                post.probabilityAbove(policy.tolerableRate()) >= policy.confidence());
        String why = switch (v) {
            case PASS -> "rate is below the maximum";
            case FAIL -> "rate is above the tolerable rate and closer to the harmful rate";
            default ->
                e.samples() == 0
                        ? "no evidence yet"
                        : "not enough evidence yet (the stage deadline settles what the gate leaves undecided)";
        };
        String reason = String.format(
                Locale.ROOT,
                "%s: %d of %d flagged, posterior mean %.4f, %.0f%% upper bound %.4f, P(rate>%s)=%.4f, BF(tolerable %s:harmful %s)=%.3g",
                why,
                e.flagged(),
                e.samples(),
                mean,
                policy.confidence() * 100,
                upper,
                fmt(policy.maxRate()),
                pAboveMax,
                fmt(policy.tolerableRate()),
                fmt(policy.harmfulRate()),
                Math.exp(logBf));
        return new BayesAssessment(v, e, mean, upper, pAboveMax, Math.exp(logBf), reason);
    }

    private static String fmt(double x) {
        return String.format(Locale.ROOT, "%.4g", x);
    }
}
