package dev.fledge.operator.mock;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import dev.fledge.api.ModelRelease;
import dev.fledge.api.status.ModelReleaseStatus;
import dev.fledge.api.status.Phase;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import org.junit.jupiter.api.Test;

/**
 * spec.server.canary (matchTrafficWeight) and dynamicStableScale through a rollout on the mock API server, with the
 * gatewayAPI router: how many pods each track runs at each step and at the promotion, and the capacity hold of a
 * rollback with its deadline and overrides. The fixture ({@link CanaryCapacityFixture}) samples both Deployments and the
 * public route all along; the assertions are on those samples.
 */
class CanaryCapacityOnMockApiServerTest extends CanaryCapacityFixture {
    @Test
    void withDynamicStableScaleTheTracksStayWithinReplicasPlusOneAndARollbackWaitsForAFullReadyStable() {
        ModelRelease mr = Releases.gatewayApi("assistant", "1.0.0");
        mr.getSpec().setServer(gpuServer(true));
        client.resource(mr).create();
        awaitStatus(s -> s.getPhase() == Phase.PROMOTED && "1.0.0".equals(s.getStableVersion()));
        await().atMost(SETTLE).until(() -> replicas("assistant-canary") == 0);
        startSampling();
        edit(r -> {
            r.getSpec().getModel().setVersion("2.0.0");
            r.getSpec().getModel().setUri("file:///models/2.0.0");
            r.getSpec().getStages().get(2).setStepDuration("1h"); // stays at 50%
            r.getSpec().getStages().get(2).setSteps(List.of(50, 100));
        });
        awaitStatus(s -> "public".equals(s.getStage()) && s.getCanaryWeight() == 50);
        await().atMost(SETTLE)
                .until(() -> lastSample().weight() == 50 && lastSample().stable() == 3);
        assertThat(samples)
                .as("internal and closed: one canary replica, stable whole")
                .anySatisfy(s -> assertThat(s).isEqualTo(new Sample(4, 4, 1, 1, 0)));
        assertThat(lastSample()).isEqualTo(new Sample(3, 3, 2, 2, 50));
        assertThat(samples).allSatisfy(s -> assertThat(s.pods()).as("%s", s).isLessThanOrEqualTo(5));
        ModelReleaseStatus st = awaitStatus(s -> s.getCapacity() != null
                && s.getCapacity().getCanary() != null
                && Integer.valueOf(2).equals(s.getCapacity().getCanary().getReadyReplicas())
                && Integer.valueOf(3).equals(s.getCapacity().getStable().getReadyReplicas()));
        assertThat(st.getCapacity().getStable().getGpus()).isEqualTo(6L);
        assertThat(st.getCapacity().getCanary().getGpus()).isEqualTo(4L);

        kubelet.close(); // from here on the test says when pods are ready
        clock.advance(Duration.ofMinutes(11)); // the deadline passes: a rollback
        poke();
        awaitStatus(s -> s.getPhase() == Phase.ROLLED_BACK);
        await().atMost(SETTLE).until(() -> replicas("assistant-stable") == 4);
        pause(Duration.ofSeconds(1));
        assertThat(lastSample().weight())
                .as("stable has 3 of 4 pods ready: the route keeps the canary's share")
                .isEqualTo(50);
        assertThat(status().getCanaryHeldWeight()).isEqualTo(50);
        assertThat(replicas("assistant-canary")).isEqualTo(2);

        markReady("assistant-stable", 4);
        await().atMost(Duration.ofSeconds(20)).until(() -> lastSample().weight() == 0);
        awaitStatus(s -> s.getCanaryHeldWeight() == null);
        sampling = false;
        // at every sample the route's public canary weight is never below 50 while stable had fewer than 4 ready
        List<Sample> seen = new ArrayList<>(samples);
        boolean rolledBack = false;
        for (Sample s : seen) {
            rolledBack |= s.stable() == 4 && s.canary() == 2;
            if (rolledBack && s.stableReady() < 4) {
                assertThat(s.weight())
                        .as("traffic back on a stable that is not whole: %s", s)
                        .isEqualTo(50);
            }
        }
    }

    @Test
    void aFirstReleaseWithDynamicStableScaleIsPromoted() {
        ModelRelease mr = Releases.gatewayApi("assistant", "1.0.0");
        mr.getSpec().setServer(gpuServer(true));
        client.resource(mr).create();
        startSampling();
        try {
            awaitStatus(s -> s.getPhase() == Phase.PROMOTED && "1.0.0".equals(s.getStableVersion()));
        } catch (RuntimeException | AssertionError e) {
            throw new AssertionError(
                    "status " + client.getKubernetesSerialization().asJson(status()) + "\nsamples "
                            + samples.subList(Math.max(0, samples.size() - 5), samples.size()),
                    e);
        }
    }

    @Test
    void withDynamicStableScaleAWholeRolloutAndItsPromotionRunAtMostReplicasPlusOnePods() {
        sampleRolloutToTwo(gpuServer(true));
        // the sampler's own last sample, not a read of this thread's: the two race when the canary just went to 0
        await().atMost(SETTLE).until(() -> lastSample().equals(new Sample(4, 4, 0, 0, 0)));
        sampling = false;
        List<Sample> seen = new ArrayList<>(samples);
        assertThat(seen).anySatisfy(s -> assertThat(s).isEqualTo(new Sample(1, 1, 4, 4, 100)));
        assertThat(seen).allSatisfy(s -> assertThat(s.pods()).as("%s", s).isLessThanOrEqualTo(5));
    }

    @Test
    void withMatchTrafficWeightAloneStableStaysWholeAndTheCanaryFollowsItsWeight() {
        sampleRolloutToTwo(gpuServer(false));
        sampling = false;
        List<Sample> seen = new ArrayList<>(samples);
        assertThat(seen).allSatisfy(s -> assertThat(s.stable()).isEqualTo(4));
        assertThat(seen).anySatisfy(s -> assertThat(s).isEqualTo(new Sample(4, 4, 1, 1, 0)));
        assertThat(seen).anySatisfy(s -> assertThat(s).isEqualTo(new Sample(4, 4, 1, 1, 25)));
        assertThat(seen).anySatisfy(s -> assertThat(s).isEqualTo(new Sample(4, 4, 2, 2, 50)));
        for (Sample s : seen) {
            // the route never gives the canary more than its ready pods carry
            assertThat(s.canaryReady() * 100).as("%s", s).isGreaterThanOrEqualTo((s.weight() - 1) * 4);
        }
    }

    @Test
    void aRetryDuringAHoldKeepsTheHoldsBound() {
        rolledBackAndHeld();
        String since = awaitStatus(s -> s.getCanaryHeldSince() != null).getCanaryHeldSince();
        edit(r -> r.getMetadata().getAnnotations().put("fledge.dev/action", "retry:1"));
        // the retried rollout leaves preflight and sends the internal audience to the canary; the routes still keep
        // 50% of public traffic there, as stable is short
        ModelReleaseStatus retried = awaitStatus(s -> s.getStage() != null && !"preflight".equals(s.getStage()));
        pause(Duration.ofSeconds(1));
        assertThat(lastSample().weight()).isEqualTo(50);
        ModelReleaseStatus st = status();
        assertThat(st.getCanaryHeldWeight()).isEqualTo(50);
        assertThat(st.getCanaryHeldSince())
                .as("the hold began at the rollback, not at the retry (stage %s)", retried.getStage())
                .isEqualTo(since);
        assertThat(condition(st, "CapacityHold")).isEqualTo("WaitingForStable");
    }

    @Test
    void aHoldThatOutlastsTheProgressDeadlineSendsEveryoneToStableAndSaysSo() {
        rolledBackAndHeld();
        int from = samples.size();
        clock.advance(Duration.ofMinutes(11)); // progressDeadline (10m) from the hold's start
        poke();
        await().atMost(Duration.ofSeconds(20)).until(() -> lastSample().weight() == 0);
        ModelReleaseStatus st = awaitStatus(s -> s.getCanaryHeldWeight() == null);
        assertThat(st.getCanaryHeldSince()).as("stable is still short").isNotNull();
        assertThat(condition(st, "CapacityHold")).isEqualTo("StableShort");
        await().atMost(SETTLE).until(() -> hasEvent("CapacityHoldEnded"));
        List<Sample> after = new ArrayList<>(samples);
        assertThat(after.subList(from, after.size()))
                .as("stable grown to 4 all along; the canary keeps its pods until its scale-down delay")
                .allSatisfy(s -> assertThat(s.stable()).isEqualTo(4));

        markReady("assistant-stable", 4);
        ModelReleaseStatus whole = awaitStatus(s -> s.getCanaryHeldSince() == null);
        assertThat(condition(whole, "CapacityHold")).isNull();
    }

    @Test
    void theReleaseOverrideSendsEveryoneToStableAtOnceAndIsRemoved() {
        rolledBackAndHeld();
        edit(r -> r.getMetadata().getAnnotations().put("fledge.dev/capacity-hold", "release"));
        await().atMost(Duration.ofSeconds(20)).until(() -> lastSample().weight() == 0);
        assertThat(lastSample().stableReady()).isEqualTo(3);
        await().atMost(SETTLE).until(() -> hasEvent("CapacityHoldEnded"));
        await().atMost(SETTLE)
                .until(() -> !client.resources(ModelRelease.class)
                        .inNamespace(Releases.NS)
                        .withName("assistant")
                        .get()
                        .getMetadata()
                        .getAnnotations()
                        .containsKey("fledge.dev/capacity-hold"));
    }

    @Test
    void theKeepOverrideHoldsPastTheDeadlineUntilStableIsWhole() {
        rolledBackAndHeld();
        int from = samples.size();
        edit(r -> r.getMetadata().getAnnotations().put("fledge.dev/capacity-hold", "keep"));
        // the clock moves only once the operator has seen the override (its status says so), or a pass that had not
        // would find the deadline passed without it
        awaitStatus(s -> s.getConditions() != null
                && s.getConditions().stream()
                        .anyMatch(c -> "CapacityHold".equals(c.getType())
                                && c.getMessage().contains("fledge.dev/capacity-hold=keep is set")));
        clock.advance(Duration.ofMinutes(11));
        poke();
        awaitStatus(s -> "KeptPastDeadline".equals(condition(s, "CapacityHold")));
        pause(Duration.ofSeconds(1));
        assertThat(lastSample().weight()).isEqualTo(50);

        markReady("assistant-stable", 4);
        await().atMost(Duration.ofSeconds(20)).until(() -> lastSample().weight() == 0);
        awaitStatus(s -> s.getCanaryHeldWeight() == null && s.getCanaryHeldSince() == null);
        sampling = false;
        noTrafficBackBeforeStableIsWhole(from, 50);
        await().atMost(SETTLE)
                .until(() -> !client.resources(ModelRelease.class)
                        .inNamespace(Releases.NS)
                        .withName("assistant")
                        .get()
                        .getMetadata()
                        .getAnnotations()
                        .containsKey("fledge.dev/capacity-hold"));
    }

    @Test
    void anAbortWhilePromotingWithDynamicStableScaleWaitsForAWholeReadyStableOfTheOldVersion() {
        atFiftyPercent();
        kubelet.close(); // from here on the test says when pods are ready
        edit(r -> r.getMetadata().getAnnotations().put("fledge.dev/action", "promote:1"));
        awaitStatus(s -> "promoting".equals(s.getStage()));
        // stable takes 2.0.0 a few pods at a time; three of them ready carry all but the canary's last share
        await().atMost(SETTLE)
                .until(() -> "2.0.0".equals(version("assistant-stable")) && replicas("assistant-stable") == 3);
        await().atMost(SETTLE).until(() -> {
            markReady("assistant-stable", 3); // again if the operator wrote the Deployment since
            return lastSample().weight() < 50 && replicas("assistant-canary") == 1;
        });
        markReady("assistant-canary", 1); // the canary gave up its second pod
        await().atMost(SETTLE).until(() -> lastSample().canaryReady() == 1);
        int handedOver = lastSample().weight();
        assertThat(handedOver)
                .as("mid-promotion: the canary keeps part of its share")
                .isBetween(1, 49);
        assertThat(status().getStage()).isEqualTo("promoting");
        int from = samples.size();

        edit(r -> r.getMetadata().getAnnotations().put("fledge.dev/action", "abort:2"));
        awaitStatus(s -> s.getPhase() == Phase.ROLLED_BACK);
        await().atMost(SETTLE)
                .until(() -> "1.0.0".equals(version("assistant-stable")) && replicas("assistant-stable") == 4);
        pause(Duration.ofSeconds(1));
        assertThat(lastSample().weight())
                .as("stable goes back to 1.0.0, none of its pods ready yet: the route keeps the canary's share")
                .isEqualTo(handedOver);
        assertThat(status().getCanaryHeldWeight()).isEqualTo(handedOver);
        assertThat(condition(status(), "CapacityHold")).isEqualTo("WaitingForStable");

        markReady("assistant-stable", 4);
        await().atMost(Duration.ofSeconds(20)).until(() -> lastSample().weight() == 0);
        awaitStatus(s -> s.getCanaryHeldWeight() == null && s.getCanaryHeldSince() == null);
        sampling = false;
        noTrafficBackBeforeStableIsWhole(from, handedOver);
        List<Sample> all = new ArrayList<>(samples);
        assertThat(all).allSatisfy(s -> assertThat(s.stable()).as("%s", s).isLessThanOrEqualTo(4));
        assertThat(all)
                .as("stable + canary within replicas + 1 through the rollout, the promotion and the abort")
                .allSatisfy(s -> assertThat(s.pods()).as("%s", s).isLessThanOrEqualTo(5));
    }
}
