package dev.fledge.core.rollout;

import static org.assertj.core.api.Assertions.assertThat;

import dev.fledge.api.status.GateResult;
import dev.fledge.api.status.Phase;
import java.time.Duration;
import java.util.List;
import org.junit.jupiter.api.Test;

/** A gate's failureLimit counts the failures of one stage, not of the whole rollout (issue 14, item 14). */
class FailureLimitPerStageTest {
    static final GatePlan ERRORS = new GatePlan("error-rate", 2, false);

    static Observation verdict(GateVerdict v) {
        return Observation.of(true, true).withVerdicts(List.of(v));
    }

    @Test
    void oneFailureInEachOfTwoStagesDoesNotReachAFailureLimitOfTwo() {
        Rollout r = new Rollout(Rollout.plan("2.0.0", List.of(ERRORS))).promotedAt("1.0.0");
        r.ready();
        r.after(Duration.ofSeconds(1), verdict(GateVerdict.fail("error-rate", "metric", "0.2 > 0.01")));
        r.after(Duration.ofMinutes(10), verdict(GateVerdict.pass("error-rate", "metric", "ok")));
        assertThat(r.status.getStage()).isEqualTo("closed");

        Decision d = r.after(Duration.ofMinutes(1), verdict(GateVerdict.fail("error-rate", "metric", "0.2 > 0.01")));

        assertThat(d.status().getPhase()).isEqualTo(Phase.PROGRESSING);
        assertThat(d.status().getGates()).extracting(GateResult::getFailures).containsExactly(1);
    }

    @Test
    void twoFailuresInOneStageStillRollBack() {
        Rollout r = new Rollout(Rollout.plan("2.0.0", List.of(ERRORS))).promotedAt("1.0.0");
        r.ready();
        r.after(Duration.ofSeconds(1), verdict(GateVerdict.fail("error-rate", "metric", "0.2 > 0.01")));
        Decision d = r.after(Duration.ofMinutes(1), verdict(GateVerdict.fail("error-rate", "metric", "0.2 > 0.01")));
        assertThat(d.status().getPhase()).isEqualTo(Phase.ROLLED_BACK);
    }
}
