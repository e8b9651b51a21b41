package dev.fledge.operator.mock;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import dev.fledge.api.Labels;
import dev.fledge.api.ModelRelease;
import dev.fledge.api.spec.Router;
import dev.fledge.api.spec.ServerSpec;
import dev.fledge.api.spec.StageName;
import dev.fledge.api.spec.StageSpec;
import dev.fledge.api.spec.TrafficSpec;
import dev.fledge.api.status.ModelReleaseStatus;
import dev.fledge.api.status.Phase;
import dev.fledge.operator.gates.ConfiguredGates;
import dev.fledge.operator.workload.CanaryDrain;
import dev.fledge.testsupport.DeploymentReadiness;
import dev.fledge.testsupport.FaultInjectingDispatcher;
import dev.fledge.testsupport.MockCluster;
import io.fabric8.kubernetes.api.model.NamespaceBuilder;
import io.fabric8.kubernetes.api.model.Service;
import io.fabric8.kubernetes.api.model.apps.Deployment;
import io.fabric8.kubernetes.api.model.apps.DeploymentStatusBuilder;
import io.fabric8.kubernetes.api.model.gatewayapi.v1.HTTPRoute;
import io.fabric8.kubernetes.client.KubernetesClient;
import io.fabric8.kubernetes.client.KubernetesClientException;
import java.time.Duration;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.function.Consumer;
import java.util.function.Predicate;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

/**
 * Who serves users while a canary is handed over: a canary whose version changes mid-rollout is replaced only after
 * no route or Service sends it requests (also when a route write fails), public capacity does not drop under the
 * replicas router meanwhile, and a rolled-back canary leaves the public Service at once after an abort, or within
 * {@link CanaryDrain#HOLD_LIMIT} after an ordinary rollback, for good. A sampler reads the cluster all along; the
 * assertions are on its samples.
 */
class CanaryHandoverOnMockApiServerTest {
    static final String NAME = "assistant";

    final FaultInjectingDispatcher api = new FaultInjectingDispatcher();
    final CanaryScaleDownOnMockApiServerTest.MovableClock clock = new CanaryScaleDownOnMockApiServerTest.MovableClock();
    final List<Sample> samples = new CopyOnWriteArrayList<>();
    MockCluster cluster;
    KubernetesClient client;
    DeploymentReadiness kubelet;
    OperatorUnderTest operator;
    Thread sampler;
    volatile boolean sampling = true;

    /**
     * One look at the cluster: the canary's version label (read first), what routes or Services send to the canary
     * (read next), then the ready pods of each track and which tracks the public Service selects.
     */
    record Sample(String canaryVersion, List<String> toCanary, int stableReady, int canaryReady, String publicTrack) {
        /** Ready pods behind the public Service. */
        int publicCapacity() {
            return switch (publicTrack) {
                case "stable" -> stableReady;
                case "canary" -> canaryReady;
                default -> stableReady + canaryReady;
            };
        }
    }

    @BeforeEach
    void start() throws Exception {
        cluster = new MockCluster(api);
        client = cluster.client();
        client.namespaces()
                .resource(new NamespaceBuilder()
                        .withNewMetadata()
                        .withName(Releases.NS)
                        .endMetadata()
                        .build())
                .create();
        client.resource(CanaryScaleDownOnMockApiServerTest.gateway()).create();
        kubelet = new DeploymentReadiness(client);
        operator = new OperatorUnderTest(client, new ConfiguredGates(Map.of()), clock);
    }

    @AfterEach
    void stop() throws InterruptedException {
        sampling = false;
        if (sampler != null) {
            sampler.join(5_000);
        }
        operator.close();
        if (kubelet != null) {
            kubelet.close();
        }
        cluster.close();
    }

    // --- HIGH 1: a new version mid-rollout

    @Test
    void aNewVersionMidRolloutNeverReachesUsersUngatedWhenTheRouteWriteFails() {
        client.resource(Releases.gatewayApi(NAME, "1.0.0")).create();
        awaitStatus(s -> s.getPhase() == Phase.PROMOTED);
        edit(r -> {
            setVersion(r, "2.0.0");
            r.getSpec().getStages().get(2).setStepDuration("1h"); // stays at 25%
        });
        awaitStatus(s -> "public".equals(s.getStage()) && s.getCanaryWeight() == 25);
        startSampling(this::routeToCanary);
        await().atMost(Duration.ofSeconds(5))
                .until(() -> samples.stream()
                        .anyMatch(s -> "2.0.0".equals(s.canaryVersion())
                                && !s.toCanary().isEmpty()));

        api.failNext(1, 500, r -> "PATCH".equals(r.method()) && r.path().endsWith("/httproutes/" + NAME));
        edit(r -> {
            setVersion(r, "3.0.0");
            r.getSpec().setServer(new ServerSpec().withImage("fledge/model-server:0.3.0"));
            r.getSpec().setPaused(true); // the new canary stays in preflight: no route may send it anything
        });

        awaitStatus(s -> "3.0.0".equals(s.getCanaryVersion()));
        await().atMost(Duration.ofSeconds(20)).until(() -> "3.0.0".equals(canaryVersion()));
        assertThat(api.failuresServed()).as("the route write failed once").isEqualTo(1);
        pause(Duration.ofMillis(300));
        assertNoRouteToTheNewCanary("3.0.0");
    }

    // --- a route write counts only once the Gateway accepted it (review HIGH 2, MED-HIGH 3)

    @Test
    void aNewVersionMidRolloutKeepsTheOldCanaryTemplateWhileTheGatewayHasNotAcceptedTheRouteAwayFromIt() {
        client.resource(Releases.gatewayApi(NAME, "1.0.0")).create();
        awaitStatus(s -> s.getPhase() == Phase.PROMOTED);
        edit(r -> {
            setVersion(r, "2.0.0");
            r.getSpec().getStages().get(2).setStepDuration("1h"); // stays at 25%
        });
        awaitStatus(s -> "public".equals(s.getStage()) && s.getCanaryWeight() == 25);
        await().atMost(Duration.ofSeconds(10)).until(() -> !servedToCanary().isEmpty());

        operator.gateway().hold(); // the Gateway is slow: it keeps serving the route it accepted last
        startSampling(this::servedToCanary);
        edit(r -> {
            setVersion(r, "3.0.0");
            r.getSpec().setPaused(true);
        });
        awaitStatus(s -> "3.0.0".equals(s.getCanaryVersion()));
        await().atMost(Duration.ofSeconds(10)).until(() -> routeToCanary().isEmpty()); // written, not accepted
        awaitStatus(s -> routeNotAccepted(s).isPresent());
        pause(Duration.ofSeconds(3));
        assertThat(canaryVersion()).as("the canary keeps its template").isEqualTo("2.0.0");
        assertThat(servedToCanary())
                .as("the Gateway still sends the canary requests")
                .isNotEmpty();
        assertThat(routeNotAccepted(status()))
                .as("the status says what the release waits for")
                .hasValueSatisfying(c -> {
                    assertThat(c.getReason()).isEqualTo("WaitingForGateway");
                    assertThat(c.getMessage())
                            .contains("waiting for the Gateway to accept HTTPRoute " + NAME)
                            .contains("parent " + Releases.NS + "/public-gw");
                });
        assertThat(warnings("RouteDrift"))
                .as("a route not yet accepted is no drift")
                .isEmpty();
        assertThat(warnings("RouteNotAccepted"))
                .as("no Warning while the wait is short")
                .isEmpty();

        clock.advance(Duration.ofSeconds(31)); // the Gateway has not answered for more than 30 s
        poke();
        await().atMost(Duration.ofSeconds(10))
                .until(() -> !warnings("RouteNotAccepted").isEmpty());
        pause(Duration.ofSeconds(5)); // passes every 2 s meanwhile
        assertThat(warnings("RouteNotAccepted"))
                .as("one Warning per wait, naming the route and the parent")
                .singleElement()
                .satisfies(m -> assertThat(m)
                        .contains("HTTPRoute " + NAME)
                        .contains("parent " + Releases.NS + "/public-gw")
                        .contains("not accepted yet"));
        assertThat(canaryVersion()).isEqualTo("2.0.0");

        operator.gateway().accept();
        await().atMost(Duration.ofSeconds(30)).until(() -> "3.0.0".equals(canaryVersion()));
        awaitStatus(s -> routeNotAccepted(s).isEmpty());
        pause(Duration.ofMillis(300));
        assertNoRouteToTheNewCanary("3.0.0");
        assertThat(warnings("RouteDrift")).isEmpty();
    }

    @Test
    void aPublicStepsTimeCountsOnlyFromWhenTheGatewayAcceptedItsRoute() {
        client.resource(Releases.gatewayApi(NAME, "1.0.0")).create();
        awaitStatus(s -> s.getPhase() == Phase.PROMOTED);
        edit(r -> {
            setVersion(r, "2.0.0");
            r.getSpec().getStages().get(2).setStepDuration("1m");
        });
        awaitStatus(s -> "public".equals(s.getStage())
                && s.getCanaryWeight() == 25
                && s.getStepWaitingSince() == null // started: its route accepted
                && routeNotAccepted(s).isEmpty());

        operator.gateway().hold(); // from here the Gateway keeps serving the 25% route
        clock.advance(Duration.ofSeconds(61));
        poke();
        awaitStatus(s -> s.getCanaryWeight() == 50 && routeNotAccepted(s).isPresent());
        clock.advance(Duration.ofMinutes(5)); // five step durations, the 50% route still not accepted
        poke();
        pause(Duration.ofSeconds(3));
        assertThat(status().getCanaryWeight())
                .as("a step whose route no Gateway serves yet has served nobody: it does not pass")
                .isEqualTo(50);
        assertThat(status().getStepWaitingSince()).as("not started").isNotNull();
        assertThat(status().getMessage()).contains("waiting for the routes");

        operator.gateway().accept();
        // the pass that saw the route accepted looks again within 2 s, and that one starts the step
        awaitStatus(s -> routeNotAccepted(s).isEmpty() && s.getStepWaitingSince() == null);
        clock.advance(Duration.ofSeconds(40));
        poke();
        pause(Duration.ofSeconds(3));
        assertThat(status().getCanaryWeight())
                .as("40 s of the step's minute since the Gateway took the route")
                .isEqualTo(50);
        clock.advance(Duration.ofSeconds(25));
        poke();
        awaitStatus(s -> s.getCanaryWeight() == 100);
    }

    @Test
    void aRollbackMovesUsersAtOnceButARouteTheGatewayRejectsKeepsTheCanaryPodsAndSaysWhy() {
        client.resource(Releases.gatewayApi(NAME, "1.0.0")).create();
        awaitStatus(s -> s.getPhase() == Phase.PROMOTED);
        edit(r -> {
            setVersion(r, "2.0.0");
            r.getSpec().getStages().get(2).setStepDuration("1h");
        });
        awaitStatus(s -> "public".equals(s.getStage()) && s.getCanaryWeight() == 25);
        await().atMost(Duration.ofSeconds(10)).until(() -> !servedToCanary().isEmpty());

        operator.gateway().reject("NotAllowedByListeners");
        edit(r -> r.getMetadata().getAnnotations().put(Labels.ACTION, "abort"));
        awaitStatus(s -> s.getPhase() == Phase.ROLLED_BACK);
        // the rollback does not wait for the Gateway: the route to stable is written at once
        await().atMost(Duration.ofSeconds(10)).until(() -> routeToCanary().isEmpty());
        awaitStatus(s -> routeNotAccepted(s)
                .filter(c -> "RouteRefused".equals(c.getReason()))
                .isPresent());
        assertThat(routeNotAccepted(status()).orElseThrow().getMessage())
                .contains("Accepted=False")
                .contains("NotAllowedByListeners");
        clock.advance(Duration.ofMinutes(5));
        poke();
        await().atMost(Duration.ofSeconds(10))
                .until(() -> !warnings("RouteNotAccepted").isEmpty());
        pause(Duration.ofSeconds(3));
        assertThat(servedToCanary())
                .as("the Gateway still sends the canary requests")
                .isNotEmpty();
        assertThat(replicas(NAME + "-canary")).as("the canary keeps its pods").isEqualTo(2);
        assertThat(status().getCanaryScaleDownAt()).as("no drain clock").isNull();
        assertThat(warnings("RouteNotAccepted"))
                .singleElement()
                .satisfies(m -> assertThat(m).contains("Accepted=False").contains("NotAllowedByListeners"));

        operator.gateway().accept(); // the drain goes on once the Gateway takes the route (delay 0 s here)
        await().atMost(Duration.ofSeconds(30)).until(() -> replicas(NAME + "-canary") == 0);
        awaitStatus(s -> routeNotAccepted(s).isEmpty());
    }

    /** The release's {@code RouteNotAccepted} condition, if it holds. */
    static Optional<io.fabric8.kubernetes.api.model.Condition> routeNotAccepted(ModelReleaseStatus s) {
        return s == null || s.getConditions() == null
                ? Optional.empty()
                : s.getConditions().stream()
                        .filter(c -> "RouteNotAccepted".equals(c.getType()) && "True".equals(c.getStatus()))
                        .findFirst();
    }

    /** Backends of the route the Gateway last accepted (what it serves) that send requests to the canary. */
    List<String> servedToCanary() {
        return operator.gateway()
                .programmed(Releases.NS, NAME)
                .map(spec -> {
                    List<String> out = new ArrayList<>();
                    spec.getRules()
                            .forEach(rule -> rule.getBackendRefs().stream()
                                    .filter(b -> (NAME + "-canary").equals(b.getName())
                                            && (b.getWeight() == null || b.getWeight() > 0))
                                    .forEach(b -> out.add(b.getName() + "=" + b.getWeight())));
                    return out;
                })
                .orElse(List.of());
    }

    /** Messages of the release's Warning events of this reason. */
    List<String> warnings(String reason) {
        return client.v1().events().inNamespace(Releases.NS).list().getItems().stream()
                .filter(e -> reason.equals(e.getReason()))
                .map(e -> e.getMessage())
                .toList();
    }

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

        markReady(NAME + "-stable", 4);
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

        markReady(NAME + "-stable", 4);
        pause(Duration.ofMillis(500));
        markReady(NAME + "-stable", 3); // one stable pod goes unready again
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

        markReady(NAME + "-stable", 4);
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
        markReady(NAME + "-stable", 4);
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
        markReady(NAME + "-canary", 2);
        await().atMost(Duration.ofSeconds(10)).until(() -> replicas(NAME + "-stable") == 2);
        markReady(NAME + "-stable", 2);

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
        markReady(NAME + "-canary", 4);
        await().atMost(Duration.ofSeconds(10))
                .untilAsserted(() -> assertThat(selectors()).first().isEqualTo(NAME + "=canary"));
    }

    /** A replicas-router release of 4 at public 25% (3 stable, 1 canary), then stable at 4 with 3 ready. */
    void atPublic25WithStableShortOfPods() {
        ModelRelease mr = Releases.release(
                NAME, "1.0.0", new TrafficSpec().withRouter(Router.REPLICAS).withScaleDownDelay("30s"));
        mr.getSpec().setServer(new ServerSpec().withReplicas(4));
        client.resource(mr).create();
        awaitStatus(s -> s.getPhase() == Phase.PROMOTED);
        edit(r -> {
            setVersion(r, "2.0.0");
            r.getSpec().getStages().get(2).setStepDuration("1h");
        });
        awaitStatus(s -> "public".equals(s.getStage()) && s.getCanaryWeight() == 25);
        await().atMost(Duration.ofSeconds(10))
                .until(() -> replicas(NAME + "-stable") == 3 && ready(NAME + "-stable") == 3);
        kubelet.close();
        kubelet = null;
    }

    // --- LOW 10: the drain clock and the scale-down

    @Test
    void theDrainClockWaitsWhileAStaleRouteStillSendsTheCanaryRequests() {
        client.resource(Releases.gatewayApi(NAME, "1.0.0")).create();
        awaitStatus(s -> s.getPhase() == Phase.PROMOTED);
        edit(r -> {
            setVersion(r, "2.0.0");
            r.getSpec().getStages().get(2).setStepDuration("1h");
        });
        awaitStatus(s -> "public".equals(s.getStage()) && s.getCanaryWeight() == 25);

        // the old route cannot be deleted for a while: it keeps its 25% on the canary
        api.failNext(1000, 500, r -> "DELETE".equals(r.method()) && r.path().endsWith("/httproutes/" + NAME));
        edit(r -> {
            r.getSpec().getTraffic().getGatewayAPI().setHttpRoute(NAME + "-v2");
            r.getMetadata().getAnnotations().put(Labels.ACTION, "abort");
        });
        awaitStatus(s -> s.getPhase() == Phase.ROLLED_BACK);
        pause(Duration.ofSeconds(2));
        assertThat(routeBackends(NAME)).contains(NAME + "-canary=25");
        assertThat(status().getCanaryScaleDownAt())
                .as("a route still sends the canary requests: no drain clock")
                .isNull();
        assertThat(replicas(NAME + "-canary")).isEqualTo(2);
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

    // --- sampling

    void assertNoRouteToTheNewCanary(String version) {
        sampling = false;
        assertThat(samples)
                .as("samples with the canary at %s", version)
                .anySatisfy(s -> assertThat(s.canaryVersion()).isEqualTo(version));
        assertThat(samples)
                .as("routes to canary pods of %s, which passed no gate", version)
                .allSatisfy(s -> {
                    if (version.equals(s.canaryVersion())) {
                        assertThat(s.toCanary()).isEmpty();
                    }
                });
    }

    void startSampling(java.util.function.Supplier<List<String>> toCanary) {
        sampler = new Thread(() -> {
            while (sampling) {
                try {
                    String version = canaryVersion();
                    List<String> routes = toCanary.get();
                    samples.add(new Sample(
                            version, routes, ready(NAME + "-stable"), ready(NAME + "-canary"), publicTrack()));
                } catch (KubernetesClientException | NullPointerException e) {
                    // an object not there yet
                }
                pause(Duration.ofMillis(20));
            }
        });
        sampler.setDaemon(true);
        sampler.start();
    }

    String publicTrack() {
        Service s = client.services().inNamespace(Releases.NS).withName(NAME).get();
        return s == null ? "none" : s.getSpec().getSelector().getOrDefault(Labels.TRACK, "both");
    }

    /** HTTPRoute backendRefs (every rule of the release's route) that send requests to the canary Service. */
    List<String> routeToCanary() {
        return routeBackends(NAME).stream()
                .filter(b -> b.startsWith(NAME + "-canary=") && !b.endsWith("=0"))
                .toList();
    }

    List<String> routeBackends(String route) {
        HTTPRoute r = client.resources(HTTPRoute.class)
                .inNamespace(Releases.NS)
                .withName(route)
                .get();
        if (r == null) {
            return List.of();
        }
        List<String> out = new ArrayList<>();
        r.getSpec()
                .getRules()
                .forEach(rule -> rule.getBackendRefs().forEach(b -> out.add(b.getName() + "=" + b.getWeight())));
        return out;
    }

    /** Services that select the canary track, or both tracks. */
    List<String> servicesOnCanary() {
        return selectors().stream().filter(s -> !s.endsWith("=stable")).toList();
    }

    List<String> selectors() {
        return List.of(NAME, NAME + "-internal", NAME + "-closed").stream()
                .map(n -> {
                    Service s = client.services()
                            .inNamespace(Releases.NS)
                            .withName(n)
                            .get();
                    return n + "=" + s.getSpec().getSelector().getOrDefault(Labels.TRACK, "both");
                })
                .toList();
    }

    // --- helpers

    static void setVersion(ModelRelease mr, String version) {
        mr.getSpec().getModel().setVersion(version);
        mr.getSpec().getModel().setUri("file:///models/" + version);
    }

    String canaryVersion() {
        Deployment d = deployment(NAME + "-canary");
        return d == null
                ? null
                : d.getSpec().getTemplate().getMetadata().getLabels().get(Labels.VERSION);
    }

    Deployment deployment(String name) {
        return client.apps()
                .deployments()
                .inNamespace(Releases.NS)
                .withName(name)
                .get();
    }

    int replicas(String name) {
        Deployment d = deployment(name);
        return d == null ? 0 : d.getSpec().getReplicas();
    }

    int ready(String name) {
        return Optional.ofNullable(deployment(name))
                .map(Deployment::getStatus)
                .map(s -> s.getReadyReplicas())
                .orElse(0);
    }

    void markReady(String name, int ready) {
        Deployment d = deployment(name);
        int replicas = d.getSpec().getReplicas();
        d.setStatus(new DeploymentStatusBuilder()
                .withReplicas(replicas)
                .withReadyReplicas(ready)
                .withUpdatedReplicas(replicas)
                .withAvailableReplicas(ready)
                .withObservedGeneration(d.getMetadata().getGeneration())
                .build());
        client.apps().deployments().inNamespace(Releases.NS).resource(d).updateStatus();
    }

    ModelReleaseStatus status() {
        return client.resources(ModelRelease.class)
                .inNamespace(Releases.NS)
                .withName(NAME)
                .get()
                .getStatus();
    }

    ModelReleaseStatus awaitStatus(Predicate<ModelReleaseStatus> p) {
        return Releases.awaitStatus(client, NAME, Duration.ofSeconds(30), p);
    }

    /** Edits the release, again on a conflict with the operator's status write. */
    void edit(Consumer<ModelRelease> change) {
        await().atMost(Duration.ofSeconds(10))
                .ignoreException(KubernetesClientException.class)
                .until(() -> {
                    client.resources(ModelRelease.class)
                            .inNamespace(Releases.NS)
                            .withName(NAME)
                            .edit(r -> {
                                if (r.getMetadata().getAnnotations() == null) {
                                    r.getMetadata().setAnnotations(new HashMap<>());
                                }
                                change.accept(r);
                                return r;
                            });
                    return true;
                });
    }

    /** An event for the release, so that the operator looks again now (its own wake-up runs on real time). */
    void poke() {
        edit(r -> r.getMetadata()
                .getAnnotations()
                .put("test.fledge.dev/poke", clock.instant().toString()));
    }

    static void pause(Duration d) {
        try {
            Thread.sleep(d.toMillis());
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        }
    }
}
