package dev.fledge.operator.gates.bayes;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;
import static org.assertj.core.api.Assertions.within;

import org.junit.jupiter.api.Test;

class BetaPosteriorTest {

    @Test
    void posteriorAddsFlaggedToAlphaAndCleanToBeta() {
        BetaPosterior p = BetaPosterior.of(1, 99, new Evidence(400, 3));
        assertThat(p.alpha()).isEqualTo(4.0);
        assertThat(p.beta()).isEqualTo(496.0);
        assertThat(p.mean()).isCloseTo(4.0 / 500, within(1e-12));
    }

    @Test
    void tailOfBetaOneBMatchesTheClosedForm() {
        // Beta(1, b): P(X > x) = (1 - x)^b exactly
        BetaPosterior prior = BetaPosterior.of(1, 99, Evidence.none());
        assertThat(prior.probabilityAbove(0.01)).isCloseTo(Math.pow(0.99, 99), within(1e-12));
        BetaPosterior after = BetaPosterior.of(1, 99, new Evidence(250, 0));
        assertThat(after.probabilityAbove(0.01)).isCloseTo(Math.pow(0.99, 349), within(1e-12));
    }

    @Test
    void cdfMatchesReferenceValues() {
        // I_0.5(2, 3) = 11/16; I_0.3(2, 2) = 3x^2 - 2x^3 = 0.216
        assertThat(BetaPosterior.of(1, 1, new Evidence(3, 1)).probabilityBelow(0.5))
                .isCloseTo(0.6875, within(1e-12));
        assertThat(BetaPosterior.of(1, 1, new Evidence(2, 1)).probabilityBelow(0.3))
                .isCloseTo(0.216, within(1e-12));
        // Beta(2, 2): P(X > 0.3) = 1 - 0.216
        assertThat(BetaPosterior.of(1, 1, new Evidence(2, 1)).probabilityAbove(0.3))
                .isCloseTo(0.784, within(1e-12));
    }

    @Test
    void upperBoundIsTheQuantileAtTheLevel() {
        // Beta(1, b): quantile q = 1 - (1 - q)^(1/b)
        BetaPosterior p = BetaPosterior.of(1, 99, new Evidence(100, 0));
        assertThat(p.upperBound(0.95)).isCloseTo(1 - Math.pow(0.05, 1.0 / 199), within(1e-9));
        assertThat(p.probabilityBelow(p.upperBound(0.95))).isCloseTo(0.95, within(1e-9));
    }

    @Test
    void impossibleEvidenceAndPriorsAreRejected() {
        assertThatThrownBy(() -> new Evidence(3, 4)).isInstanceOf(IllegalArgumentException.class);
        assertThatThrownBy(() -> new Evidence(-1, 0)).isInstanceOf(IllegalArgumentException.class);
        assertThatThrownBy(() -> BetaPosterior.of(0, 1, Evidence.none())).isInstanceOf(IllegalArgumentException.class);
    }
}
