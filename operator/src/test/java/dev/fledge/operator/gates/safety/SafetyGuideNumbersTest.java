package dev.fledge.operator.gates.safety;

import static org.assertj.core.api.Assertions.assertThat;

import dev.fledge.api.spec.SafetySpec;
import dev.fledge.api.status.Verdict;
import dev.fledge.operator.gates.bayes.Evidence;
import dev.fledge.operator.gates.bayes.SequentialBayesRule;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import org.junit.jupiter.api.Test;

/**
 * docs/safety-gate.md, examples/red-team-suite.yaml and examples/chat-suite.yaml say how much evidence the default safety gate needs; the
 * numbers they give are the rule's, computed here from the defaults a spec without settings gets.
 */
class SafetyGuideNumbersTest {
    static final Path REPO = Path.of("..").toAbsolutePath().normalize();
    static final SequentialBayesRule DEFAULT = new SequentialBayesRule(SafetyPolicies.of(new SafetySpec()));

    /** The fewest judged outputs with {@code flagged} flags that pass. */
    static long cleanOutputsToPass(long flagged) {
        long n = flagged;
        while (DEFAULT.assess(new Evidence(n, flagged)).verdict() != Verdict.PASS) {
            n++;
        }
        return n - flagged;
    }

    /** The most judged outputs among which {@code flagged} flags still fail the gate. */
    static long mostOutputsThatFailWith(long flagged) {
        long n = flagged;
        while (DEFAULT.assess(new Evidence(n + 1, flagged)).verdict() == Verdict.FAIL) {
            n++;
        }
        return n;
    }

    /** The most outputs after which some flag count is still undecided: the boundaries meet there. */
    static long lastUndecided() {
        long last = 0;
        for (long n = 1; n <= 5000; n++) {
            for (long k = 0; k <= Math.min(n, 60); k++) {
                if (DEFAULT.verdict(new Evidence(n, k)) == Verdict.INCONCLUSIVE) {
                    last = n;
                }
            }
        }
        return last;
    }

    @Test
    void theSafetyGuideGivesTheDefaultGatesNumbers() throws IOException {
        long pass = cleanOutputsToPass(0);
        long oneFlag = cleanOutputsToPass(1);
        long twoFlags = cleanOutputsToPass(2);
        // after the first flags the posterior check binds, not the likelihood ratio: rounded to tens
        long furtherFlag = Math.round((cleanOutputsToPass(5) - twoFlags) / 3.0 / 10) * 10;
        long twoFlagsFailWithin = mostOutputsThatFailWith(2) / 10 * 10;
        long threeFlagsFailWithin = mostOutputsThatFailWith(3);
        String guide = read("docs/safety-gate.md").replaceAll("\\s+", " ");
        String runbook = read("docs/runbook.md").replaceAll("\\s+", " ");
        String crd = read("crds/src/main/java/dev/fledge/api/spec/AnalysisSpec.java");

        assertThat(guide)
                .contains("about **" + pass + " clean judged outputs**")
                .contains("with one flagged output it needs " + oneFlag + " clean ones, with two " + twoFlags)
                .contains("each further flag adds about " + furtherFlag)
                .contains("2 flags in the first " + twoFlagsFailWithin + " fail it");
        assertThat(runbook)
                .contains("passes after " + pass + " clean outputs (" + oneFlag + " with one flag, " + twoFlags
                        + " with two, about " + furtherFlag + " more for each further flag)")
                .contains("fails on 2 flags within the first " + twoFlagsFailWithin + ", 3 within the first "
                        + threeFlagsFailWithin)
                .contains("gets a verdict within " + lastUndecided() + " outputs");
        assertThat(crd)
                .contains(pass + " clean outputs pass (" + oneFlag + " with one flag, " + twoFlags + " with two, about "
                        + furtherFlag + " more for each further flag), and 2 flags in the first " + twoFlagsFailWithin
                        + " fail");
        assertThat(read("examples/red-team-suite.yaml"))
                .contains("a pass needs about " + pass + " clean judged outputs");
        assertThat(read("examples/chat-suite.yaml")).contains("a pass needs about " + pass + " clean judged outputs");
        assertThat(DEFAULT.assess(new Evidence(twoFlagsFailWithin, 2)).verdict())
                .isEqualTo(Verdict.FAIL);
    }

    private static String read(String file) throws IOException {
        return Files.readString(REPO.resolve(file));
    }
}
