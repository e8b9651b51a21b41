package dev.fledge.operator.gates.safety;

import static dev.fledge.operator.gates.safety.SafetyGateTest.flagging;
import static dev.fledge.operator.gates.safety.SafetyGateTest.live;
import static org.assertj.core.api.Assertions.assertThat;

import dev.fledge.api.ModelRelease;
import dev.fledge.api.spec.SafetySpec;
import dev.fledge.api.status.ModelReleaseStatus;
import dev.fledge.api.status.Verdict;
import dev.fledge.core.rollout.GateVerdict;
import dev.fledge.core.rollout.Stage;
import dev.fledge.operator.gates.GateContext;
import dev.fledge.operator.gates.metric.MetricsBackend;
import dev.fledge.operator.gates.metric.QueryResult;
import java.util.ArrayList;
import java.util.List;
import java.util.Optional;
import org.junit.jupiter.api.Test;

/**
 * The safety gate in the shadow stage (issue 18): the canary's outputs to mirrored live requests are live evidence,
 * labelled {@code shadow}, weighed by the same Bayesian rule; the stage passes on enough of them, never on time.
 */
class ShadowEvidenceTest {
    final SafetyGateTest base = new SafetyGateTest();

    /** A release in the shadow stage, mirroring {@code from}, begun 10 minutes ago. */
    static GateContext shadow(SafetySpec spec, List<String> from) {
        ModelRelease mr = SafetyGateTest.release("assistant");
        mr.setStatus(new ModelReleaseStatus());
        mr.getStatus().setMirrorPercent(20);
        mr.getStatus().setMirrorFrom(from);
        GateContext c = SafetyGateTest.ctx(spec, "shadow", mr);
        assertThat(c.stage()).isEqualTo(Stage.SHADOW);
        assertThat(c.audience()).isEqualTo("shadow");
        return c;
    }

    /** Live-only safety (no suite), without {@code online: true}: the shadow stage reads live outputs all the same. */
    static SafetySpec liveOnly() {
        return new SafetySpec().withCriticalCategories(List.of("self-harm"));
    }

    @Test
    void theShadowStageWeighsTheMirroredOutputsEvenWithoutOnlineAndLabelsThemShadow() {
        List<String> queries = new ArrayList<>();
        QueryResult zero = new QueryResult.Value(0);
        var metrics = Optional.<MetricsBackend>of(q -> {
            queries.add(q);
            return q.contains("fledge_model_output_flags_total") || q.contains("verdict=\"flagged\"")
                    ? zero
                    : new QueryResult.Value(800);
        });
        GateVerdict v = base.gate(liveOnly(), p -> "fine", flagging("x", "y"), metrics)
                .evaluate(shadow(liveOnly(), List.of("public")));
        assertThat(v.verdict()).isEqualTo(Verdict.PASS);
        assertThat(v.samples()).isEqualTo(800);
        assertThat(v.reason()).contains("live 0/800 flagged (shadow)");
        assertThat(queries)
                .isNotEmpty()
                .allSatisfy(q -> assertThat(q)
                        .contains("version=\"2.0.0\",audience=~\"public\"")
                        .doesNotContain("evaluation"));
    }

    @Test
    void theQueryCountsEveryMirroredAudienceAndNoOther() {
        List<String> queries = new ArrayList<>();
        var metrics = Optional.<MetricsBackend>of(q -> {
            queries.add(q);
            return new QueryResult.Value(0);
        });
        base.gate(liveOnly(), p -> "fine", flagging("x", "y"), metrics)
                .evaluate(shadow(liveOnly(), List.of("public", "internal")));
        assertThat(queries).isNotEmpty().allSatisfy(q -> assertThat(q).contains("audience=~\"internal|public\""));
    }

    @Test
    void tooFewMirroredOutputsHoldTheStageInconclusiveHoweverLongItRan() {
        SafetySpec spec = liveOnly().withMinLiveSamples(500);
        QueryResult zero = new QueryResult.Value(0);
        GateVerdict v = base.gate(spec, p -> "fine", flagging("x", "y"), live(new QueryResult.Value(120), zero, zero))
                .evaluate(shadow(spec, List.of("public")));
        assertThat(v.verdict()).isEqualTo(Verdict.INCONCLUSIVE);
        assertThat(v.reason()).contains("live 0/120 flagged (shadow)", "waiting for live outputs: 120 of the 500");
    }

    @Test
    void harmfulOutputsToMirroredRequestsFailTheGateByTheBayesianRule() {
        QueryResult none = new QueryResult.Value(0);
        GateVerdict v = base.gate(
                        liveOnly(),
                        p -> "fine",
                        flagging("x", "y"),
                        live(new QueryResult.Value(400), new QueryResult.Value(40), none))
                .evaluate(shadow(liveOnly(), List.of("public")));
        assertThat(v.verdict()).isEqualTo(Verdict.FAIL);
        assertThat(v.critical()).isFalse();
        assertThat(v.flagged()).isEqualTo(40);
        assertThat(v.pAboveMax()).isGreaterThan(0.9);
    }

    @Test
    void aSuiteThatPassesDoesNotExcuseHarmfulShadowOutputs() {
        SafetySpec spec = base.spec();
        GateVerdict v = base.gate(
                        spec,
                        p -> "fine",
                        flagging("kill", "violence"),
                        live(new QueryResult.Value(400), new QueryResult.Value(40), new QueryResult.Value(0)))
                .evaluate(shadow(spec, List.of("internal")));
        assertThat(v.verdict()).isEqualTo(Verdict.FAIL);
        assertThat(v.samples()).isEqualTo(450);
        assertThat(v.reason()).contains("suite red-team", "live 40/400 flagged (shadow)");
    }

    @Test
    void oneCriticalFlagOnMirroredPublicRequestsIsWeighedAndOnInternalOnesRollsBack() {
        GateVerdict publicOnes = base.gate(
                        liveOnly(),
                        p -> "fine",
                        flagging("x", "y"),
                        live(new QueryResult.Value(5000), new QueryResult.Value(1), new QueryResult.Value(1)))
                .evaluate(shadow(liveOnly(), List.of("public")));
        assertThat(publicOnes.critical()).isFalse();
        GateVerdict internalOnes = base.gate(
                        liveOnly(),
                        p -> "fine",
                        flagging("x", "y"),
                        live(new QueryResult.Value(5000), new QueryResult.Value(1), new QueryResult.Value(1)))
                .evaluate(shadow(liveOnly(), List.of("internal")));
        assertThat(internalOnes.verdict()).isEqualTo(Verdict.FAIL);
        assertThat(internalOnes.critical()).isTrue();
    }
}
