package dev.fledge.operator.gates.bayes;

import static org.assertj.core.api.Assertions.assertThat;

import dev.fledge.api.status.Verdict;
import java.util.stream.Stream;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.Arguments;
import org.junit.jupiter.params.provider.MethodSource;

/** With no outputs seen the posterior is the prior: no policy may pass or fail a model on it alone. */
class NoEvidenceVerdictTest {

    static Stream<Arguments> policies() {
        double[] confidences = {0.5, 0.6, 0.8, 0.95, 0.99};
        double[] rates = {1e-4, 1e-3, 0.01, 0.1, 0.5};
        Stream.Builder<Arguments> b = Stream.builder();
        for (double c : confidences) {
            for (double r : rates) {
                b.add(Arguments.of(
                        "safety, maxHarmRate " + r + ", confidence " + c,
                        BayesPolicy.defaults(r).withConfidence(c)));
            }
            // the feedback gate's policy: tolerable = max / 2, prior Beta(1, 1)
            b.add(Arguments.of(
                    "feedback, maxNegativeRate 0.05, confidence " + c,
                    new BayesPolicy(0.05, 0.025, BayesPolicy.harmfulFor(0.05), c, 1, 1, 0.01)));
        }
        return b.build();
    }

    @ParameterizedTest(name = "{0}")
    @MethodSource("policies")
    void noEvidenceIsInconclusive(String name, BayesPolicy policy) {
        SequentialBayesRule rule = new SequentialBayesRule(policy);
        assertThat(rule.verdict(Evidence.none())).as(name).isEqualTo(Verdict.INCONCLUSIVE);
        assertThat(rule.assess(Evidence.none()).verdict()).as(name).isEqualTo(Verdict.INCONCLUSIVE);
    }
}
