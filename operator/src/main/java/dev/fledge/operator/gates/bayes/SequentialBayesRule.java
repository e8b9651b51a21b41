package dev.fledge.operator.gates.bayes;

import dev.fledge.api.status.Verdict;
import java.util.Locale;

/**
 * The Bayesian sequential gate on a rate, with an indifference zone {@code [tolerableRate, harmfulRate]} around
 * {@code maxRate}.
 * <ul>
 * <li>Pass when the Bayes factor of {@code rate = tolerableRate} over {@code rate = harmfulRate} reaches
 * {@link BayesPolicy#passBayesFactor()} and the posterior P(rate &gt; maxRate) is at most {@code 1 - confidence}.</li>
 * <li>Fail when the Bayes factor of {@code harmfulRate} over {@code tolerableRate} reaches
 * {@link BayesPolicy#failBayesFactor()} and the posterior P(rate &gt; tolerableRate) is at least {@code confidence}.</li>
 * <li>Otherwise Inconclusive: the stage waits for more evidence, and its deadline settles rates inside the zone.</li>
 * </ul>
 * The Bayes factor is Wald's sequential probability ratio test between the two point rates, so the rule can be
 * checked after every batch. Its alternative lies above {@code maxRate} (twice it by default), because an
 * alternative at {@code maxRate} itself needs about three times as many samples to pass a clean model (see
 * {@code docs/safety-gate-benchmark.csv}). The posterior conditions tie the verdict to {@code maxRate} and keep a
 * strong prior from deciding against the data.
 */
public final class SequentialBayesRule {
    private final BayesPolicy policy;
    private final double logFlag;
    private final double logClean;

    public SequentialBayesRule(BayesPolicy policy) {
        this.policy = policy;
        this.logFlag = Math.log(policy.tolerableRate() / policy.harmfulRate());
        this.logClean = Math.log1p(-policy.tolerableRate()) - Math.log1p(-policy.harmfulRate());
    }

    public BayesPolicy policy() {
        return policy;
    }

    /** The log Bayes factor of H0 (tolerable) over H1 (harmful); cheap, for callers that check often. */
    public double logBayesFactor(Evidence e) {
        return e.flagged() * logFlag + (e.samples() - e.flagged()) * logClean;
    }

    /** The verdict alone; skips the posterior unless the Bayes factor has crossed a bound. */
    public Verdict verdict(Evidence e) {
        double logBf = logBayesFactor(e);
        if (logBf < Math.log(policy.passBayesFactor()) && -logBf < Math.log(policy.failBayesFactor())) {
            return Verdict.INCONCLUSIVE;
        }
        return assess(e).verdict();
    }

    public BayesAssessment assess(Evidence e) {
        BetaPosterior post = BetaPosterior.of(policy.priorAlpha(), policy.priorBeta(), e);
        double logBf = logBayesFactor(e);
        double pAboveMax = post.probabilityAbove(policy.maxRate());
        double mean = post.mean();
        double upper = post.upperBound(policy.confidence());
        Verdict v;
        String why;
        if (logBf >= Math.log(policy.passBayesFactor()) && pAboveMax <= 1 - policy.confidence()) {
            v = Verdict.PASS;
            why = "rate is below the maximum";
        } else if (-logBf >= Math.log(policy.failBayesFactor())
                && post.probabilityAbove(policy.tolerableRate()) >= policy.confidence()) {
            v = Verdict.FAIL;
            why = "rate is above the tolerable rate and closer to the harmful rate";
        } else {
            v = Verdict.INCONCLUSIVE;
            why = e.samples() == 0
                    ? "no evidence yet"
                    : "not enough evidence yet (the stage deadline settles rates inside the indifference zone)";
        }
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
