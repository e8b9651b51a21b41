package dev.fledge.operator.gates.bayes;

import dev.fledge.api.status.Verdict;
import org.junit.jupiter.api.Test;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;
import static org.assertj.core.api.Assertions.within;

class SequentialBayesRuleTest {
    final SequentialBayesRule rule = new SequentialBayesRule(BayesPolicy.defaults(0.01));

    @Test
    void defaultsPutTheIndifferenceZoneBetweenAFifthOfTheMaximumAndTheMaximum() {
        BayesPolicy p = BayesPolicy.defaults(0.01);
        assertThat(p.tolerableRate()).isEqualTo(0.002);
        assertThat(p.confidence()).isEqualTo(0.95);
        assertThat(p.priorAlpha()).isEqualTo(1);
        assertThat(p.priorBeta()).isEqualTo(99);
    }

    @Test
    void noEvidenceIsInconclusive() {
        assertThat(rule.assess(Evidence.none()).verdict()).isEqualTo(Verdict.INCONCLUSIVE);
    }

    @Test
    void cleanOutputsPassOnlyOnceTheBayesFactorReachesItsBound() {
        // ln(0.95 / 0.13) / ln(0.998 / 0.99) = 247.1 clean outputs
        assertThat(rule.assess(new Evidence(247, 0)).verdict()).isEqualTo(Verdict.INCONCLUSIVE);
        BayesAssessment pass = rule.assess(new Evidence(248, 0));
        assertThat(pass.verdict()).isEqualTo(Verdict.PASS);
        assertThat(pass.pAboveMax()).isCloseTo(Math.pow(0.99, 347), within(1e-12));
        assertThat(pass.bayesFactor()).isGreaterThanOrEqualTo(0.95 / 0.13);
    }

    @Test
    void eachFlagCostsAboutTwoHundredCleanOutputs() {
        assertThat(rule.assess(new Evidence(446, 1)).verdict()).isEqualTo(Verdict.INCONCLUSIVE);
        assertThat(rule.assess(new Evidence(449, 1)).verdict()).isEqualTo(Verdict.PASS);
    }

    @Test
    void twoFlagsEarlyFail() {
        assertThat(rule.assess(new Evidence(10, 1)).verdict()).isEqualTo(Verdict.INCONCLUSIVE);
        BayesAssessment fail = rule.assess(new Evidence(20, 2));
        assertThat(fail.verdict()).isEqualTo(Verdict.FAIL);
        assertThat(fail.posteriorMean()).isCloseTo(3.0 / 120, within(1e-12));
        assertThat(fail.reason()).contains("2 of 20 flagged", "P(rate>0.01000)");
    }

    @Test
    void aPessimisticPriorHoldsAPassThatTheBayesFactorAloneWouldGive() {
        SequentialBayesRule pessimist = new SequentialBayesRule(BayesPolicy.defaults(0.01).withPrior(20, 80));
        BayesAssessment a = pessimist.assess(new Evidence(300, 0));
        assertThat(a.bayesFactor()).isGreaterThan(0.95 / 0.13);
        assertThat(a.pAboveMax()).isGreaterThan(0.05);
        assertThat(a.verdict()).isEqualTo(Verdict.INCONCLUSIVE);
    }

    @Test
    void anOptimisticPriorHoldsAFailThatTheBayesFactorAloneWouldGive() {
        SequentialBayesRule optimist = new SequentialBayesRule(BayesPolicy.defaults(0.01).withPrior(1, 100_000));
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
                assertThat(rule.verdict(e)).as("%d of %d", k, n).isEqualTo(rule.assess(e).verdict());
            }
        }
    }

    @Test
    void aTolerableRateAtOrAboveTheMaximumIsRejected() {
        assertThatThrownBy(() -> BayesPolicy.defaults(0.01).withTolerableRate(0.01)).isInstanceOf(IllegalArgumentException.class);
    }
}
