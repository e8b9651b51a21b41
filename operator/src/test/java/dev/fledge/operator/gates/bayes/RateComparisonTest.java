package dev.fledge.operator.gates.bayes;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.within;

import org.junit.jupiter.api.Test;

class RateComparisonTest {

    @Test
    void identicalPosteriorsWithoutMarginAreEvenOdds() {
        BetaPosterior p = BetaPosterior.of(1, 99, new Evidence(300, 2));
        assertThat(new RateComparison(p, p).probabilityCanaryAbove(0)).isCloseTo(0.5, within(1e-3));
    }

    @Test
    void matchesClosedFormsForUniformAndTriangularPosteriors() {
        BetaPosterior uniform = BetaPosterior.of(1, 1, Evidence.none());
        // P(U1 > U2 + 0.5) = 1/8
        assertThat(new RateComparison(uniform, uniform).probabilityCanaryAbove(0.5))
                .isCloseTo(0.125, within(1e-3));
        // canary Beta(2, 1) (density 2x): P(Xc > U) = integral of 2x * x = 2/3
        BetaPosterior rising = BetaPosterior.of(1, 1, new Evidence(1, 1));
        assertThat(new RateComparison(rising, uniform).probabilityCanaryAbove(0))
                .isCloseTo(2.0 / 3, within(1e-3));
    }

    @Test
    void aClearlyWorseCanaryIsAlmostSurelyAboveStable() {
        BetaPosterior canary = BetaPosterior.of(1, 99, new Evidence(200, 20));
        BetaPosterior stable = BetaPosterior.of(1, 99, new Evidence(200, 0));
        RateComparison c = new RateComparison(canary, stable);
        assertThat(c.probabilityCanaryAbove(0.01)).isGreaterThan(0.99);
        assertThat(new RateComparison(stable, canary).probabilityCanaryAbove(0)).isLessThan(0.01);
    }
}
