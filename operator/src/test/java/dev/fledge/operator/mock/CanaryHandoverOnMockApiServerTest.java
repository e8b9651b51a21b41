package dev.fledge.operator.mock;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import dev.fledge.api.Labels;
import dev.fledge.api.ModelRelease;
import dev.fledge.api.spec.ServerSpec;
import dev.fledge.api.spec.StageName;
import dev.fledge.api.spec.StageSpec;
import dev.fledge.api.status.ModelReleaseStatus;
import dev.fledge.api.status.Phase;
import dev.fledge.operator.gates.ConfiguredGates;
import dev.fledge.operator.workload.CanaryDrain;
import io.fabric8.kubernetes.api.model.apps.Deployment;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;

/**
 * Who serves users while a canary is handed over: a canary whose version changes mid-rollout is replaced only after
 * no route or Service sends it requests (also when a route write fails), public capacity does not drop under the
 * replicas router meanwhile, and a rolled-back canary leaves the public Service at once after an abort, or within
 * {@link CanaryDrain#HOLD_LIMIT} after an ordinary rollback, for good. A sampler reads the cluster all along; the
 * assertions are on its samples.
 */
class CanaryHandoverOnMockApiServerTest extends CanaryHandoverFixture {
    @Test
    void aNewVersionAtAPublicStepUnderTheReplicasRouterKeepsCapacityAndNeverServesTheNewCanaryUngated() {
        ModelRelease mr = Releases.replicas(NAME, "1.0.0");
        mr.getSpec().setServer(new ServerSpec().withReplicas(4));
        client.resource(mr).create();
        awaitStatus(s -> s.getPhase() == Phase.PROMOTED);
        edit(r -> {
            setVersion(r, "2.0.0");
            r.getSpec()
                    .getStages()
                    .set(
                            2,
                            new StageSpec()
                                    .withName(StageName.PUBLIC)
                                    .withSteps(List.of(50, 100))
                                    .withStepDuration("1h"));
        });
        awaitStatus(s -> "public".equals(s.getStage()) && s.getCanaryWeight() == 50);
        await().atMost(Duration.ofSeconds(10))
                .until(() -> ready(NAME + "-stable") == 2 && ready(NAME + "-canary") == 2);
        kubelet.close(); // from here on the test says when pods are ready
        kubelet = null;
        startSampling(this::servicesOnCanary);
        await().atMost(Duration.ofSeconds(5)).until(() -> samples.size() > 5);

        // the public Service's move to stable fails once, whenever it comes
        api.failNext(1, 500, r -> "PATCH".equals(r.method()) && r.path().endsWith("/services/" + NAME));
        edit(r -> {
            setVersion(r, "3.0.0");
            r.getSpec().setPaused(true);
        });
        awaitStatus(s -> "3.0.0".equals(s.getCanaryVersion()));
        await().atMost(Duration.ofSeconds(10)).until(() -> replicas(NAME + "-stable") == 4);
        pause(Duration.ofSeconds(4)); // stable has 2 of 4 pods ready meanwhile

        podsReady(NAME + "-stable", 4);
        await().atMost(Duration.ofSeconds(20)).until(() -> "3.0.0".equals(canaryVersion()));
        assertThat(api.failuresServed()).as("the Service write failed once").isEqualTo(1);
        pause(Duration.ofMillis(300));
        assertNoRouteToTheNewCanary("3.0.0");
        assertThat(samples)
                .as("ready pods behind the public Service")
                .allSatisfy(s -> assertThat(s.publicCapacity()).isGreaterThanOrEqualTo(4));
        assertThat(status().getCanaryPublicHoldUntil()).isNull();
    }

    // --- HIGH 4: no hold after an abort, a bounded one after an ordinary rollback

    @Test
    void anAbortTakesTheCanaryOutOfThePublicServiceAtOnceEvenWhileStableIsShort() {
        atPublic25WithStableShortOfPods();

        edit(r -> r.getMetadata().getAnnotations().put(Labels.ACTION, "abort"));
        ModelReleaseStatus s = awaitStatus(st -> st.getPhase() == Phase.ROLLED_BACK);
        assertThat(s.getCanaryPublicHoldUntil()).isNull();
        await().atMost(Duration.ofSeconds(5))
                .untilAsserted(() -> assertThat(selectors())
                        .containsExactly(NAME + "=stable", NAME + "-internal=stable", NAME + "-closed=stable"));
        assertThat(ready(NAME + "-stable")).as("stable is still short of pods").isEqualTo(3);
    }

    /**
     * Security review 8, MED 5b: a namespace whose Secret quota is full answers 403 to a create of the key Secret even
     * though it exists; after an operator restart (which forgets that it exists) the rollback must still grow stable.
     */
    @Test
    void aRollbackGrowsStableAlthoughTheKeySecretCannotBeCreatedAgainAfterARestart() {
        atPublic25WithStableShortOfPods();
        operator.close();
        api.failNext(
                1_000_000,
                403,
                r -> "POST".equals(r.method()) && r.path().endsWith("/namespaces/" + Releases.NS + "/secrets"));
        operator = new OperatorUnderTest(client, new ConfiguredGates(Map.of()), clock);

        clock.advance(Duration.ofMinutes(11)); // past progressDeadline (10m): an ordinary rollback
        poke();
        awaitStatus(st -> st.getPhase() == Phase.ROLLED_BACK);
        await().atMost(Duration.ofSeconds(20))
                .untilAsserted(() -> assertThat(replicas(NAME + "-stable"))
                        .as("stable grows back to its full size")
                        .isEqualTo(4));
        assertThat(api.failuresServed())
                .as("the key Secret's create was refused")
                .isPositive();
    }

    @Test
    void anOrdinaryRollbackHoldsTheCanaryInThePublicServiceAtMostTheLimitAndNeverAgain() {
        atPublic25WithStableShortOfPods();

        clock.advance(Duration.ofMinutes(11)); // past progressDeadline (10m): an ordinary rollback
        poke();
        awaitStatus(st -> st.getPhase() == Phase.ROLLED_BACK);
        pause(Duration.ofSeconds(1));
        assertThat(selectors()).as("held while stable is short").first().isEqualTo(NAME + "=both");

        clock.advance(CanaryDrain.HOLD_LIMIT.plusSeconds(1));
        poke();
        await().atMost(Duration.ofSeconds(10))
                .untilAsserted(() -> assertThat(selectors())
                        .containsExactly(NAME + "=stable", NAME + "-internal=stable", NAME + "-closed=stable"));
        awaitStatus(st -> st.getCanaryPublicHoldUntil() == null && st.getCanaryScaleDownAt() != null);

        podsReady(NAME + "-stable", 4);
        pause(Duration.ofMillis(500));
        podsReady(NAME + "-stable", 3); // one stable pod goes unready again
        poke();
        pause(Duration.ofSeconds(2));
        assertThat(selectors()).as("the hold never comes back").first().isEqualTo(NAME + "=stable");
        assertThat(status().getCanaryPublicHoldUntil()).isNull();
    }

    @Test
    void aReleaseThatTurnsInvalidAtAPublicStepKeepsPublicCapacityUntilStableHasItAndThenSendsEveryoneToStable() {
        atPublic25WithStableShortOfPods();

        edit(r -> r.getSpec().getTraffic().setScaleDownDelay("2h")); // invalid: at most 1h
        ModelReleaseStatus s = awaitStatus(st -> st.getPhase() == Phase.INVALID);
        assertThat(s.getCanaryPublicHoldUntil())
                .as("the public hold is stored with the decision")
                .isNotNull();
        await().atMost(Duration.ofSeconds(10))
                .untilAsserted(() -> assertThat(selectors())
                        .containsExactly(NAME + "=both", NAME + "-internal=stable", NAME + "-closed=stable"));
        await().atMost(Duration.ofSeconds(10)).until(() -> replicas(NAME + "-stable") == 4);
        poke();
        pause(Duration.ofSeconds(1));
        assertThat(replicas(NAME + "-stable"))
                .as("grown once, to the pods the public Service held")
                .isEqualTo(4);
        assertThat(replicas(NAME + "-canary"))
                .as("nothing is built from the invalid spec")
                .isEqualTo(1);
        assertThat(selectors()).first().isEqualTo(NAME + "=both");

        podsReady(NAME + "-stable", 4);
        await().atMost(Duration.ofSeconds(10))
                .untilAsserted(() -> assertThat(selectors())
                        .containsExactly(NAME + "=stable", NAME + "-internal=stable", NAME + "-closed=stable"));
        awaitStatus(st -> st.getPhase() == Phase.INVALID && st.getCanaryPublicHoldUntil() == null);
    }

    @Test
    void aResumeWhoseCanaryCannotBeWrittenKeepsStableAtTheSizeThatServesThePublic() {
        atPublic25WithStableShortOfPods();
        edit(r -> r.getSpec().getTraffic().setScaleDownDelay("2h")); // invalid: at most 1h
        awaitStatus(st -> st.getPhase() == Phase.INVALID);
        await().atMost(Duration.ofSeconds(10)).until(() -> replicas(NAME + "-stable") == 4);
        podsReady(NAME + "-stable", 4);
        await().atMost(Duration.ofSeconds(10))
                .untilAsserted(() -> assertThat(selectors())
                        .containsExactly(NAME + "=stable", NAME + "-internal=stable", NAME + "-closed=stable"));
        // meanwhile the canary Deployment is deleted, and an admission policy refuses to create it again
        api.failNext(
                1_000, 422, r -> "PATCH".equals(r.method()) && r.path().endsWith("/deployments/" + NAME + "-canary"));
        client.apps()
                .deployments()
                .inNamespace(Releases.NS)
                .withName(NAME + "-canary")
                .delete();

        edit(r -> r.getSpec().getTraffic().setScaleDownDelay("30s")); // fixed: the rollout resumes at public 25%
        await().atMost(Duration.ofSeconds(10)).until(() -> api.failuresServed() > 0);
        poke();
        pause(Duration.ofSeconds(2));
        assertThat(replicas(NAME + "-stable"))
                .as("stable keeps the pods the public Service needs while the canary cannot take its share")
                .isEqualTo(4);
        assertThat(selectors()).first().isEqualTo(NAME + "=stable");
    }

    @Test
    void aReleaseThatTurnsInvalidWhileStableMayNotGrowStillTurnsInvalidAndSendsEveryoneToStableOnceTheHoldIsOver() {
        atPublic25WithStableShortOfPods();
        // an admission policy refuses every write to the stable Deployment (a replica cap, a change freeze)
        api.failNext(
                1_000, 403, r -> "PATCH".equals(r.method()) && r.path().endsWith("/deployments/" + NAME + "-stable"));

        edit(r -> r.getSpec().getTraffic().setScaleDownDelay("2h")); // invalid: at most 1h
        ModelReleaseStatus s = awaitStatus(st -> st.getPhase() == Phase.INVALID);
        assertThat(s.getCanaryPublicHoldUntil())
                .as("the public hold, bounded, is stored with the decision")
                .isNotNull();
        await().atMost(Duration.ofSeconds(10))
                .untilAsserted(() -> assertThat(selectors())
                        .containsExactly(NAME + "=both", NAME + "-internal=stable", NAME + "-closed=stable"));
        assertThat(replicas(NAME + "-stable")).as("the scale-up was refused").isEqualTo(3);
        assertThat(api.failuresServed()).isPositive();
        await().atMost(Duration.ofSeconds(10))
                .untilAsserted(() -> assertThat(client.v1()
                                .events()
                                .inNamespace(Releases.NS)
                                .list()
                                .getItems())
                        .anySatisfy(e -> {
                            assertThat(e.getReason()).isEqualTo("RouteDrift");
                            assertThat(e.getMessage()).contains("could not grow");
                        }));

        clock.advance(CanaryDrain.HOLD_LIMIT.plusSeconds(1));
        poke();
        await().atMost(Duration.ofSeconds(10))
                .untilAsserted(() -> assertThat(selectors())
                        .containsExactly(NAME + "=stable", NAME + "-internal=stable", NAME + "-closed=stable"));
        awaitStatus(st -> st.getPhase() == Phase.INVALID && st.getCanaryPublicHoldUntil() == null);
    }

    @Test
    void anInvalidReleaseWhoseStatusWriteIsRefusedForGoodStillSendsEveryoneToStable() {
        atPublic25WithStableShortOfPods();
        // every status write that would record Invalid is refused (as a schema 422 or a webhook would refuse it)
        api.failNext(
                1_000,
                422,
                r -> r.isStatusPatch("modelreleases", NAME) && r.body().contains("\"Invalid\""));

        edit(r -> r.getSpec().getTraffic().setScaleDownDelay("2h")); // invalid: at most 1h
        await().atMost(Duration.ofSeconds(20))
                .untilAsserted(() -> assertThat(selectors())
                        .as("every user back on stable although Invalid is not stored")
                        .containsExactly(NAME + "=stable", NAME + "-internal=stable", NAME + "-closed=stable"));
        assertThat(status().getPhase()).as("not stored").isEqualTo(Phase.PROGRESSING);
        await().atMost(Duration.ofSeconds(10))
                .untilAsserted(() -> assertThat(client.v1()
                                .events()
                                .inNamespace(Releases.NS)
                                .list()
                                .getItems())
                        .anySatisfy(e -> {
                            assertThat(e.getReason()).isEqualTo("RouteDrift");
                            assertThat(e.getMessage()).contains("could not be stored", "sent to stable");
                        }));
        pause(Duration.ofSeconds(2));
        assertThat(selectors())
                .as("and stays there while the write is retried")
                .containsExactly(NAME + "=stable", NAME + "-internal=stable", NAME + "-closed=stable");
    }

    @Test
    void aPublicStepUnderTheReplicasRouterTakesStablesPodsOnlyOnceTheCanaryHasItsOwnReady() {
        atPublic25WithStableShortOfPods(); // stable 3 of 3 ready, canary 1 of 1; new pods get ready only when marked
        edit(r -> r.getSpec().setProgressDeadline("6h")); // two 1h steps fit

        clock.advance(Duration.ofHours(1).plusSeconds(1)); // to public 50%: stable 2, canary 2
        poke();
        awaitStatus(st -> st.getCanaryWeight() == 50);
        await().atMost(Duration.ofSeconds(10)).until(() -> replicas(NAME + "-canary") == 2);
        poke();
        pause(Duration.ofSeconds(1));
        assertThat(replicas(NAME + "-stable"))
                .as("stable keeps its pods while the canary's new pod is not ready")
                .isEqualTo(3);
        podsReady(NAME + "-canary", 2);
        await().atMost(Duration.ofSeconds(10)).until(() -> replicas(NAME + "-stable") == 2);
        podsReady(NAME + "-stable", 2);

        clock.advance(Duration.ofHours(1).plusSeconds(1)); // to public 100%: canary 4, stable back to 4
        poke();
        awaitStatus(st -> st.getCanaryWeight() == 100);
        await().atMost(Duration.ofSeconds(10)).until(() -> replicas(NAME + "-canary") == 4);
        poke();
        pause(Duration.ofSeconds(1));
        assertThat(selectors())
                .as("the public Service keeps stable's pods while the canary has 2 of 4 ready")
                .first()
                .isEqualTo(NAME + "=both");
        podsReady(NAME + "-canary", 4);
        await().atMost(Duration.ofSeconds(10))
                .untilAsserted(() -> assertThat(selectors()).first().isEqualTo(NAME + "=canary"));
    }

    @Test
    void aCancelledRolloutScalesTheCanaryDownWithoutRebuildingIt() {
        client.resource(Releases.replicas(NAME, "1.0.0")).create();
        awaitStatus(s -> s.getPhase() == Phase.PROMOTED);
        edit(r -> {
            setVersion(r, "2.0.0");
            r.getSpec().setServer(new ServerSpec().withImage("fledge/model-server:0.2.0"));
            r.getSpec().setPaused(true);
        });
        awaitStatus(s -> "2.0.0".equals(s.getCanaryVersion()));
        await().atMost(Duration.ofSeconds(10)).until(() -> ready(NAME + "-canary") == 2);

        edit(
                r -> { // back to what stable runs: the rollout is cancelled
                    setVersion(r, "1.0.0");
                    r.getSpec().setServer(null);
                    r.getSpec().setPaused(false);
                });
        await().atMost(Duration.ofSeconds(20)).until(() -> replicas(NAME + "-canary") == 0);
        Deployment canary = deployment(NAME + "-canary");
        assertThat(canary.getSpec()
                        .getTemplate()
                        .getSpec()
                        .getContainers()
                        .get(0)
                        .getImage())
                .as("only the replicas changed")
                .isEqualTo("fledge/model-server:0.2.0");
        assertThat(canary.getSpec().getTemplate().getMetadata().getLabels().get(Labels.VERSION))
                .isEqualTo("2.0.0");
    }
}
