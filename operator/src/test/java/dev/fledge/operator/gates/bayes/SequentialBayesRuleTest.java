package dev.fledge.operator.gates.bayes;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;
import static org.assertj.core.api.Assertions.within;

import dev.fledge.api.status.Verdict;
import org.junit.jupiter.api.Test;

class SequentialBayesRuleTest {
    final SequentialBayesRule rule = new SequentialBayesRule(BayesPolicy.defaults(0.01));

    @Test
    void defaultsPutTheIndifferenceZoneBetweenAFifthOfTheMaximumAndTwiceTheMaximum() {
        BayesPolicy p = BayesPolicy.defaults(0.01);
        assertThat(p.tolerableRate()).isEqualTo(0.002);
        assertThat(p.harmfulRate()).isEqualTo(0.02);
        assertThat(p.confidence()).isEqualTo(0.95);
        assertThat(p.missAtHarmful()).isEqualTo(0.01);
        assertThat(p.priorAlpha()).isEqualTo(1);
        assertThat(p.priorBeta()).isEqualTo(99);
    }

    @Test
    void theHarmfulRateStaysBelowOneForLargeMaxima() {
        assertThat(BayesPolicy.defaults(0.6).harmfulRate()).isCloseTo(0.8, within(1e-12));
        assertThat(BayesPolicy.defaults(0.3).harmfulRate()).isCloseTo(0.6, within(1e-12));
    }

    @Test
    void noEvidenceIsInconclusive() {
        BayesAssessment a = rule.assess(Evidence.none());
        assertThat(a.verdict()).isEqualTo(Verdict.INCONCLUSIVE);
        assertThat(a.reason()).startsWith("no evidence yet");
    }

    @Test
    void cleanOutputsPassOnlyOnceTheBayesFactorReachesItsBound() {
        // ln(0.95 / 0.01) / ln(0.998 / 0.98) = 250.2 clean outputs
        assertThat(rule.assess(new Evidence(250, 0)).verdict()).isEqualTo(Verdict.INCONCLUSIVE);
        BayesAssessment pass = rule.assess(new Evidence(251, 0));
        assertThat(pass.verdict()).isEqualTo(Verdict.PASS);
        assertThat(pass.pAboveMax()).isCloseTo(Math.pow(0.99, 350), within(1e-12));
        assertThat(pass.bayesFactor()).isGreaterThanOrEqualTo(0.95 / 0.01);
        assertThat(pass.reason()).contains("BF(tolerable 0.002000:harmful 0.02000)");
    }

    @Test
    void eachFlagCostsAboutOneHundredTwentySixCleanOutputs() {
        // one flag: ln(10) / ln(0.998 / 0.98) = 126.5 more clean outputs
        assertThat(rule.assess(new Evidence(377, 1)).verdict()).isEqualTo(Verdict.INCONCLUSIVE);
        assertThat(rule.assess(new Evidence(378, 1)).verdict()).isEqualTo(Verdict.PASS);
    }

    @Test
    void thePosteriorOnTheMaximumCanHoldAPassThatTheBayesFactorAllows() {
        // two flags: the Bayes factor allows a pass at 506, P(rate > 1%) <= 5% only at 529
        BayesAssessment held = rule.assess(new Evidence(528, 2));
        assertThat(held.bayesFactor()).isGreaterThan(95);
        assertThat(held.pAboveMax()).isGreaterThan(0.05);
        assertThat(held.verdict()).isEqualTo(Verdict.INCONCLUSIVE);
        assertThat(rule.assess(new Evidence(529, 2)).verdict()).isEqualTo(Verdict.PASS);
    }

    @Test
    void oneFlagNeverFailsButTwoEarlyFlagsDo() {
        assertThat(rule.assess(new Evidence(10, 1)).verdict()).isEqualTo(Verdict.INCONCLUSIVE);
        assertThat(rule.assess(new Evidence(1, 1)).verdict()).isEqualTo(Verdict.INCONCLUSIVE);
        BayesAssessment fail = rule.assess(new Evidence(20, 2));
        assertThat(fail.verdict()).isEqualTo(Verdict.FAIL);
        assertThat(fail.posteriorMean()).isCloseTo(3.0 / 120, within(1e-12));
        assertThat(fail.reason()).contains("2 of 20 flagged", "P(rate>0.01000)");
        // ln(0.99 / 0.05) = 2.99 needs 2 ln(10) - (n - 2) ln(0.998 / 0.98): n <= 90
        assertThat(rule.assess(new Evidence(90, 2)).verdict()).isEqualTo(Verdict.FAIL);
        assertThat(rule.assess(new Evidence(91, 2)).verdict()).isEqualTo(Verdict.INCONCLUSIVE);
        assertThat(rule.assess(new Evidence(218, 3)).verdict()).isEqualTo(Verdict.FAIL);
        assertThat(rule.assess(new Evidence(219, 3)).verdict()).isEqualTo(Verdict.INCONCLUSIVE);
    }

    @Test
    void aRateInsideTheIndifferenceZoneCanStayUndecided() {
        // 0.8% observed over 500 outputs sits near the zone's neutral rate: neither bound is in reach
        BayesAssessment a = rule.assess(new Evidence(500, 4));
        assertThat(a.verdict()).isEqualTo(Verdict.INCONCLUSIVE);
        assertThat(a.reason()).contains("indifference zone");
    }

    @Test
    void aPessimisticPriorHoldsAPassThatTheBayesFactorAloneWouldGive() {
        SequentialBayesRule pessimist =
                new SequentialBayesRule(BayesPolicy.defaults(0.01).withPrior(20, 80));
        BayesAssessment a = pessimist.assess(new Evidence(300, 0));
        assertThat(a.bayesFactor()).isGreaterThan(0.95 / 0.01);
        assertThat(a.pAboveMax()).isGreaterThan(0.05);
        assertThat(a.verdict()).isEqualTo(Verdict.INCONCLUSIVE);
    }

    @Test
    void anOptimisticPriorHoldsAFailThatTheBayesFactorAloneWouldGive() {
        SequentialBayesRule optimist =
                new SequentialBayesRule(BayesPolicy.defaults(0.01).withPrior(1, 100_000));
        BayesAssessment a = optimist.assess(new Evidence(20, 2));
        assertThat(a.verdict()).isEqualTo(Verdict.INCONCLUSIVE);
    }

    @Test
    void upperBoundIsReportedAtTheConfidenceLevel() {
        BayesAssessment a = rule.assess(new Evidence(100, 0));
        assertThat(a.upperBound()).isCloseTo(1 - Math.pow(0.05, 1.0 / 199), within(1e-9));
    }

    @Test
    void fastVerdictAgreesWithTheFullAssessment() {
        for (int n = 0; n <= 600; n += 10) {
            for (int k = 0; k <= Math.min(n, 4); k++) {
                Evidence e = new Evidence(n, k);
                assertThat(rule.verdict(e))
                        .as("%d of %d", k, n)
                        .isEqualTo(rule.assess(e).verdict());
            }
        }
    }

    @Test
    void aTolerableRateAtOrAboveTheMaximumIsRejected() {
        assertThatThrownBy(() -> BayesPolicy.defaults(0.01).withTolerableRate(0.01))
                .isInstanceOf(IllegalArgumentException.class);
    }
}
