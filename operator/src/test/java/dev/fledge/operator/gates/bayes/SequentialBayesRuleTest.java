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
    void bothLikelihoodRatiosStartFromTheNeutralRateInsideTheZone() {
        TwoSprtDesign d = rule.design();
        double drift = d.middleRate() * Math.log(0.002 / 0.02) + (1 - d.middleRate()) * Math.log(0.998 / 0.98);
        assertThat(drift).isCloseTo(0, within(1e-12));
        assertThat(d.middleRate()).isBetween(0.002, 0.02);
        assertThat(d.calibrated()).isTrue();
        // tighter than Ville's bounds, which hold without the computation
        assertThat(d.logFail()).isPositive().isLessThan(Math.log(1 / (0.9 * 0.05)));
        assertThat(d.logPass()).isPositive().isLessThan(Math.log(1 / (0.9 * 0.01)));
    }

    @Test
    void theThresholdsKeepTheErrorTargetsInTheExactComputation() {
        double[] errors = new TwoSprtCalibration(BayesPolicy.defaults(0.01))
                .errors(rule.design().logFail(), rule.design().logPass());
        assertThat(errors[0]).isLessThanOrEqualTo(0.9 * 0.05);
        assertThat(errors[1]).isLessThanOrEqualTo(0.9 * 0.01);
    }

    @Test
    void cleanOutputsPassOnlyOnceTheLikelihoodRatioOverTheHarmfulRateReachesItsThreshold() {
        TwoSprtDesign d = rule.design();
        long n = (long) Math.ceil(d.logPass() / (Math.log1p(-d.middleRate()) - Math.log1p(-0.02)));
        assertThat(rule.assess(new Evidence(n - 1, 0)).verdict()).isEqualTo(Verdict.INCONCLUSIVE);
        BayesAssessment pass = rule.assess(new Evidence(n, 0));
        assertThat(pass.verdict()).isEqualTo(Verdict.PASS);
        assertThat(pass.pAboveMax()).isCloseTo(Math.pow(0.99, 99 + n), within(1e-12));
        assertThat(pass.reason())
                .startsWith("rate is below the maximum")
                .contains("BF(tolerable 0.002000:harmful 0.02000)");
    }

    @Test
    void thePosteriorOnTheMaximumCanHoldAPassThatTheLikelihoodRatioAllows() {
        TwoSprtDesign d = rule.design();
        long allowed = 3;
        while (TwoSprtDesign.logLikelihoodRatio(d.middleRate(), 0.02, allowed, 3) < d.logPass()) {
            allowed++;
        }
        BayesAssessment held = rule.assess(new Evidence(allowed, 3));
        assertThat(held.pAboveMax()).isGreaterThan(0.05);
        assertThat(held.verdict()).isEqualTo(Verdict.INCONCLUSIVE);
        long n = allowed;
        while (rule.assess(new Evidence(n, 3)).verdict() != Verdict.PASS) {
            n++;
        }
        assertThat(rule.assess(new Evidence(n, 3)).pAboveMax()).isLessThanOrEqualTo(0.05);
    }

    @Test
    void oneFlagNeverFailsButTwoEarlyFlagsDo() {
        for (int n = 1; n <= 2000; n++) {
            assertThat(rule.assess(new Evidence(n, 1)).verdict()).isNotEqualTo(Verdict.FAIL);
        }
        BayesAssessment fail = rule.assess(new Evidence(20, 2));
        assertThat(fail.verdict()).isEqualTo(Verdict.FAIL);
        assertThat(fail.posteriorMean()).isCloseTo(3.0 / 120, within(1e-12));
        assertThat(fail.reason()).contains("2 of 20 flagged", "P(rate>0.01000)");
    }

    @Test
    void aFewOutputsInsideTheZoneAreInconclusive() {
        BayesAssessment a = rule.assess(new Evidence(100, 1));
        assertThat(a.verdict()).isEqualTo(Verdict.INCONCLUSIVE);
        assertThat(a.reason()).startsWith("not enough evidence yet");
    }

    @Test
    void theBoundariesMeetSoEveryFlagCountGetsAVerdictAfterABoundedNumberOfOutputs() {
        long lastUndecided = 0;
        for (int n = 1; n <= 3000; n++) {
            for (int k = 0; k <= Math.min(n, 30); k++) {
                if (rule.verdict(new Evidence(n, k)) == Verdict.INCONCLUSIVE) {
                    lastUndecided = n;
                }
            }
        }
        // well before the benchmark's deadline of 2000 outputs; Wald's SPRT has no such bound
        assertThat(lastUndecided).isPositive().isLessThan(1500);
    }

    @Test
    void whereBothRatiosAllowAVerdictTheObservedRateDecides() {
        TwoSprtDesign d = rule.design();
        BayesPolicy p = rule.policy();
        assertThat(SequentialBayesRule.decide(d, p, 2000, 15, true, true)).isEqualTo(Verdict.PASS);
        assertThat(SequentialBayesRule.decide(d, p, 2000, 17, true, true)).isEqualTo(Verdict.FAIL);
        assertThat(SequentialBayesRule.decide(d, p, 2000, 17, true, false)).isEqualTo(Verdict.PASS);
    }

    @Test
    void aPessimisticPriorHoldsAPassThatTheLikelihoodRatioAloneWouldGive() {
        SequentialBayesRule pessimist =
                new SequentialBayesRule(BayesPolicy.defaults(0.01).withPrior(20, 80));
        BayesAssessment a = pessimist.assess(new Evidence(600, 0));
        TwoSprtDesign d = pessimist.design();
        assertThat(TwoSprtDesign.logLikelihoodRatio(d.middleRate(), 0.02, 600, 0))
                .isGreaterThan(d.logPass());
        assertThat(a.pAboveMax()).isGreaterThan(0.05);
        assertThat(a.verdict()).isEqualTo(Verdict.INCONCLUSIVE);
    }

    @Test
    void anOptimisticPriorHoldsAFailThatTheLikelihoodRatioAloneWouldGive() {
        SequentialBayesRule optimist =
                new SequentialBayesRule(BayesPolicy.defaults(0.01).withPrior(1, 100_000));
        BayesAssessment a = optimist.assess(new Evidence(30, 3));
        TwoSprtDesign d = optimist.design();
        assertThat(TwoSprtDesign.logLikelihoodRatio(d.middleRate(), 0.002, 30, 3))
                .isGreaterThan(d.logFail());
        assertThat(a.verdict()).isEqualTo(Verdict.INCONCLUSIVE);
    }

    @Test
    void upperBoundIsReportedAtTheConfidenceLevel() {
        BayesAssessment a = rule.assess(new Evidence(100, 0));
        assertThat(a.upperBound()).isCloseTo(1 - Math.pow(0.05, 1.0 / 199), within(1e-9));
    }

    @Test
    void fastVerdictAgreesWithTheFullAssessment() {
        for (int n = 0; n <= 1500; n += 10) {
            for (int k = 0; k <= Math.min(n, 12); k++) {
                Evidence e = new Evidence(n, k);
                assertThat(rule.verdict(e))
                        .as("%d of %d", k, n)
                        .isEqualTo(rule.assess(e).verdict());
            }
        }
    }

    @Test
    void aRateTooSmallForTheExactComputationGetsVillesBounds() {
        TwoSprtDesign d = new SequentialBayesRule(BayesPolicy.defaults(1e-5)).design();
        assertThat(d.calibrated()).isFalse();
        assertThat(d.logFail()).isCloseTo(Math.log(1 / (0.9 * 0.05)), within(1e-12));
        assertThat(d.logPass()).isCloseTo(Math.log(1 / (0.9 * 0.01)), within(1e-12));
    }

    @Test
    void aTolerableRateAtOrAboveTheMaximumIsRejected() {
        assertThatThrownBy(() -> BayesPolicy.defaults(0.01).withTolerableRate(0.01))
                .isInstanceOf(IllegalArgumentException.class);
    }
}
