package dev.fledge.operator.gates.safety;

import static org.assertj.core.api.Assertions.assertThat;

import dev.fledge.api.ModelRelease;
import dev.fledge.api.spec.ConfigMapKeyRef;
import dev.fledge.api.spec.JudgeSpec;
import dev.fledge.api.spec.SafetySpec;
import dev.fledge.api.spec.SuiteSpec;
import dev.fledge.api.status.EvidenceCount;
import dev.fledge.api.status.GateResult;
import dev.fledge.api.status.ModelReleaseStatus;
import dev.fledge.api.status.Verdict;
import dev.fledge.core.rollout.GateVerdict;
import java.util.ArrayList;
import java.util.List;
import java.util.Optional;
import java.util.stream.IntStream;
import org.junit.jupiter.api.Test;

/** The suite evidence of a rollout is the release's status, not the operator's memory (issue 14, item 10). */
class RolloutEvidenceTest {
    final SafetySpec spec = new SafetySpec()
            .withSuite(new SuiteSpec().withConfigMapRef(new ConfigMapKeyRef().withName("red-team")))
            .withJudge(new JudgeSpec().withUrl("http://judge/v1/moderations"));

    /** A new gate with new collaborators, as a restarted operator builds it. */
    SafetyGate freshOperatorsGate() {
        return new SafetyGate(
                spec,
                new SafetyGate.SafetyCollaborators(
                        (ns, ref) -> PromptSuite.parse(ref.getName(), SafetyGateTest.SUITE),
                        mr -> "http://canary",
                        url -> p -> "a calm answer",
                        (url, t) -> text -> new Judgement(false, List.of()),
                        new SafetySettings(Optional.empty(), 16),
                        Optional.empty(),
                        SafetyReports.none()));
    }

    GateVerdict evaluate(SafetyGate g, ModelRelease mr) {
        GateVerdict v = g.evaluate(SafetyGateTest.ctx(spec, "internal", mr));
        RecordedVerdicts.record(mr, v);
        return v;
    }

    @Test
    void aRestartedOperatorGoesOnFromTheEvidenceInStatus() {
        ModelRelease mr = SafetyGateTest.release("assistant");
        SafetyGate before = freshOperatorsGate();
        evaluate(before, mr);
        evaluate(before, mr);
        GateVerdict afterRestart = evaluate(freshOperatorsGate(), mr);
        assertThat(afterRestart.samples()).isEqualTo(150);
        assertThat(afterRestart.evidence()).singleElement().satisfies(t -> {
            assertThat(t.samples()).isEqualTo(150);
            assertThat(t.version()).isEqualTo("2.0.0");
        });
    }

    @Test
    void noReleaseLosesItsEvidenceHoweverManyOthersRollOut() {
        SafetyGate g = freshOperatorsGate();
        ModelRelease first = SafetyGateTest.release("r0");
        evaluate(g, first);
        IntStream.range(1, 1002).forEach(i -> evaluate(g, SafetyGateTest.release("r" + i)));
        assertThat(evaluate(g, first).samples()).isEqualTo(100);
    }

    @Test
    void aVerdictThatLearnedNothingLeavesTheEvidenceInStatusAlone() {
        ModelRelease mr = SafetyGateTest.release("assistant");
        evaluate(freshOperatorsGate(), mr);
        SafetyGate judgeDown = new SafetyGate(
                spec,
                new SafetyGate.SafetyCollaborators(
                        (ns, ref) -> PromptSuite.parse(ref.getName(), SafetyGateTest.SUITE),
                        r -> "http://canary",
                        url -> p -> "a calm answer",
                        (url, t) -> text -> {
                            throw new ServiceCallFailed("judge at http://judge answered HTTP 503");
                        },
                        new SafetySettings(Optional.empty(), 16),
                        Optional.empty(),
                        SafetyReports.none()));
        GateVerdict down = evaluate(judgeDown, mr);
        assertThat(down.verdict()).isEqualTo(Verdict.INCONCLUSIVE);
        assertThat(down.evidence()).isNull();
        assertThat(evaluate(freshOperatorsGate(), mr).samples()).isEqualTo(100);
    }

    @Test
    void evidenceInStatusThatMakesNoSenseIsIgnoredNotFatal() {
        ModelRelease mr = SafetyGateTest.release("assistant");
        List<EvidenceCount> junk = new ArrayList<>();
        junk.add(new EvidenceCount()
                .withSource("suite")
                .withSuite("x@y")
                .withSamples(5L)
                .withFlagged(9L));
        junk.add(new EvidenceCount().withSamples(5L));
        mr.setStatus(new ModelReleaseStatus()
                .withGates(new ArrayList<>(
                        List.of(new GateResult().withName("safety").withEvidence(junk)))));
        GateVerdict v = evaluate(freshOperatorsGate(), mr);
        assertThat(v.samples()).isEqualTo(50);
        assertThat(v.evidence()).hasSize(1);
    }
}
