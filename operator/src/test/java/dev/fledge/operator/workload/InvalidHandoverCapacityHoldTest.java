package dev.fledge.operator.workload;

import static org.assertj.core.api.Assertions.assertThat;

import dev.fledge.api.Labels;
import dev.fledge.api.ModelRelease;
import dev.fledge.api.spec.CanaryScaleSpec;
import dev.fledge.api.spec.DynamicStableScaleSpec;
import dev.fledge.api.spec.GatewayApiSpec;
import dev.fledge.api.spec.ModelReleaseSpec;
import dev.fledge.api.spec.ModelSpec;
import dev.fledge.api.spec.ParentReference;
import dev.fledge.api.spec.ServerSpec;
import dev.fledge.api.spec.TrafficSpec;
import dev.fledge.api.status.GateResult;
import dev.fledge.api.status.ModelReleaseStatus;
import dev.fledge.api.status.Phase;
import dev.fledge.api.status.Verdict;
import dev.fledge.core.rollout.CapacityHold;
import dev.fledge.core.rollout.ConditionReason;
import dev.fledge.core.rollout.Conditions;
import dev.fledge.core.rollout.Decision;
import dev.fledge.core.rollout.TrafficSplit;
import io.fabric8.kubernetes.api.model.ConditionBuilder;
import io.fabric8.kubernetes.api.model.ObjectMetaBuilder;
import io.fabric8.kubernetes.api.model.apps.Deployment;
import io.fabric8.kubernetes.api.model.apps.DeploymentBuilder;
import java.time.Clock;
import java.time.Instant;
import java.time.ZoneOffset;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;

/**
 * The capacity hold of a release whose spec turned Invalid during a hold on the way back to stable
 * ({@link InvalidHandover#plan}, which reads no API for it): it ends as an ordinary release's does.
 */
class InvalidHandoverCapacityHoldTest {
    static final Instant NOW = Instant.parse("2026-12-02T12:00:00Z");

    final InvalidHandover handover = new InvalidHandover(null, null, Clock.fixed(NOW, ZoneOffset.UTC));

    @Test
    void afterACriticalSafetyFailureTheHoldEndsOnceStableHasAReadyPodEvenWhenTheSpecTurnedInvalid() {
        ModelReleaseStatus old = heldAfterRollback(ConditionReason.CriticalGateFailed);

        InvalidHandover.Plan plan = handover.plan(release(), old, invalid(old), stable(1), canary());

        assertThat(plan.capacityHold().verdict()).isEqualTo(CapacityHold.Verdict.CRITICAL);
        assertThat(plan.heldWeight())
                .as("the canary that gave harmful answers keeps no share")
                .isNull();
    }

    @Test
    void afterTheFirstInvalidStatusWriteTheCriticalFailureIsStillKnownFromTheGates() {
        // the stored status is already the Invalid one: Degraded is False there, the failed critical gate is kept
        ModelReleaseStatus old = heldAfterRollback(ConditionReason.CriticalGateFailed);
        old.setPhase(Phase.INVALID);
        old.setConditions(List.of(new ConditionBuilder()
                .withType(Conditions.DEGRADED)
                .withStatus("False")
                .withReason(ConditionReason.InvalidSpec.name())
                .withLastTransitionTime(NOW.toString())
                .build()));
        old.setGates(List.of(
                new GateResult().withName("safety").withVerdict(Verdict.FAIL).withCritical(true)));

        InvalidHandover.Plan plan = handover.plan(release(), old, invalid(old), stable(1), canary());

        assertThat(plan.capacityHold().verdict()).isEqualTo(CapacityHold.Verdict.CRITICAL);
        assertThat(plan.heldWeight()).isNull();
    }

    @Test
    void afterAnOrdinaryRollbackTheHoldGoesOnUntilStableIsWhole() {
        ModelReleaseStatus old = heldAfterRollback(ConditionReason.ProgressDeadlineExceeded);

        InvalidHandover.Plan plan = handover.plan(release(), old, invalid(old), stable(1), canary());

        assertThat(plan.capacityHold().verdict()).isEqualTo(CapacityHold.Verdict.HOLDING);
        assertThat(plan.heldWeight()).isEqualTo(50);
    }

    static ModelRelease release() {
        ModelRelease mr = new ModelRelease();
        mr.setMetadata(new ObjectMetaBuilder()
                .withName("assistant")
                .withNamespace("ml")
                .withUid("uid-1")
                .build());
        mr.setSpec(new ModelReleaseSpec()
                .withModel(new ModelSpec()
                        .withName("assistant")
                        .withVersion("2.0.0")
                        .withUri("file:///m"))
                .withServer(new ServerSpec()
                        .withReplicas(4)
                        .withCanary(new CanaryScaleSpec().withMatchTrafficWeight(true))
                        .withDynamicStableScale(new DynamicStableScaleSpec()))
                .withTraffic(new TrafficSpec()
                        .withGatewayAPI(
                                new GatewayApiSpec().withParentRefs(List.of(new ParentReference().withName("gw")))))
                .withProgressDeadline("10m"));
        return mr;
    }

    /** Rolled back at public 50% for {@code reason}, the routes holding 50% on the canary since a minute. */
    static ModelReleaseStatus heldAfterRollback(ConditionReason reason) {
        ModelReleaseStatus st = new ModelReleaseStatus();
        st.setPhase(Phase.ROLLED_BACK);
        st.setStableVersion("1.0.0");
        st.setCanaryHeldWeight(50);
        st.setCanaryHeldSince(NOW.minusSeconds(60).toString());
        st.setConditions(List.of(new ConditionBuilder()
                .withType(Conditions.DEGRADED)
                .withStatus("True")
                .withReason(reason.name())
                .withMessage("rolled back")
                .withLastTransitionTime(NOW.minusSeconds(60).toString())
                .build()));
        return st;
    }

    /** The engine's decision for the invalid spec: the same status, phase Invalid, nobody on the canary. */
    static Decision invalid(ModelReleaseStatus old) {
        ModelReleaseStatus st = new ModelReleaseStatus();
        st.setPhase(Phase.INVALID);
        st.setStableVersion(old.getStableVersion());
        st.setCanaryHeldWeight(old.getCanaryHeldWeight());
        st.setCanaryHeldSince(old.getCanaryHeldSince());
        st.setConditions(old.getConditions());
        st.setGates(old.getGates());
        return new Decision(
                st, TrafficSplit.stableOnly("1.0.0"), List.of(), false, null, ConditionReason.InvalidSpec, null);
    }

    /** Stable of 1.0.0 at 4 replicas, {@code ready} of them ready. */
    static Deployment stable(int ready) {
        return deployment("assistant-stable", "1.0.0", 4, ready);
    }

    static Deployment canary() {
        return deployment("assistant-canary", "2.0.0", 2, 2);
    }

    static Deployment deployment(String name, String version, int replicas, int ready) {
        return new DeploymentBuilder()
                .withNewMetadata()
                .withName(name)
                .withNamespace("ml")
                .withGeneration(1L)
                .endMetadata()
                .withNewSpec()
                .withReplicas(replicas)
                .withNewTemplate()
                .withNewMetadata()
                .withLabels(Map.of(Labels.VERSION, version))
                .endMetadata()
                .endTemplate()
                .endSpec()
                .withNewStatus()
                .withObservedGeneration(1L)
                .withReplicas(replicas)
                .withUpdatedReplicas(replicas)
                .withReadyReplicas(ready)
                .endStatus()
                .build();
    }
}
