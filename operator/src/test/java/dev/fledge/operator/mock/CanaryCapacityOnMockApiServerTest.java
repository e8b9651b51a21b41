package dev.fledge.operator.mock;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ObjectNode;
import dev.fledge.api.ModelRelease;
import dev.fledge.api.spec.CanaryScaleSpec;
import dev.fledge.api.spec.DynamicStableScaleSpec;
import dev.fledge.api.spec.ServerSpec;
import dev.fledge.api.status.ModelReleaseStatus;
import dev.fledge.api.status.Phase;
import dev.fledge.operator.gates.ConfiguredGates;
import dev.fledge.testsupport.DeploymentReadiness;
import dev.fledge.testsupport.FaultInjectingDispatcher;
import dev.fledge.testsupport.MockCluster;
import io.fabric8.kubernetes.api.model.NamespaceBuilder;
import io.fabric8.kubernetes.api.model.PodTemplateSpecBuilder;
import io.fabric8.kubernetes.api.model.Quantity;
import io.fabric8.kubernetes.api.model.apps.Deployment;
import io.fabric8.kubernetes.api.model.apps.DeploymentStatusBuilder;
import io.fabric8.kubernetes.api.model.gatewayapi.v1.HTTPBackendRef;
import io.fabric8.kubernetes.api.model.gatewayapi.v1.HTTPRoute;
import io.fabric8.kubernetes.api.model.gatewayapi.v1.HTTPRouteRule;
import io.fabric8.kubernetes.client.KubernetesClient;
import io.fabric8.kubernetes.client.KubernetesClientException;
import io.fabric8.mockwebserver.http.Buffer;
import io.fabric8.mockwebserver.http.MockResponse;
import io.fabric8.mockwebserver.http.RecordedRequest;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.atomic.AtomicInteger;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

/**
 * spec.server.canary (matchTrafficWeight) and dynamicStableScale through a rollout on the mock API server, with the
 * gatewayAPI router: a sampler reads both Deployments' replicas and the public route's canary weight all along; the
 * assertions are on those samples. The rollback runs with the test's kubelet stopped, so stable's pods get ready only
 * when the test says.
 */
class CanaryCapacityOnMockApiServerTest {
    /**
     * How long the operator may take to act on what a test did: generous, as the class runs beside others on two
     * loaded cores (the fresh run of 2026-12-02 saw a promotion step take over 10 s); a passing wait ends as soon as it
     * holds.
     */
    static final Duration SETTLE = Duration.ofSeconds(30);

    final OldCrd api = new OldCrd();
    MockCluster cluster;
    KubernetesClient client;
    DeploymentReadiness kubelet;
    OperatorUnderTest operator;
    final CanaryScaleDownOnMockApiServerTest.MovableClock clock = new CanaryScaleDownOnMockApiServerTest.MovableClock();
    final List<Sample> samples = new CopyOnWriteArrayList<>();
    Thread sampler;
    volatile boolean sampling = true;

    /**
     * The mock API server, as with a CRD from before {@code status.canaryHeldSince} existed while {@code pruning}: the
     * API server then drops the field from every status write (structural pruning).
     */
    static final class OldCrd extends FaultInjectingDispatcher {
        volatile boolean pruning;

        @Override
        public MockResponse handlePatch(RecordedRequest request) {
            if (!pruning || !request.getPath().split("\\?", 2)[0].endsWith("/status")) {
                return super.handlePatch(request);
            }
            try {
                ObjectMapper json = new ObjectMapper();
                JsonNode body = json.readTree(request.getUtf8Body());
                if (body.get("status") instanceof ObjectNode st) {
                    st.remove("canaryHeldSince");
                }
                return super.handlePatch(new RecordedRequest(
                        "HTTP/1.1",
                        request.method(),
                        request.getPath(),
                        request.getHeaders(),
                        new Buffer(json.writeValueAsBytes(body))));
            } catch (java.io.IOException e) {
                throw new java.io.UncheckedIOException(e);
            }
        }
    }

    /** Both Deployments' replicas (spec and ready) and the public canary weight (percent) at one moment. */
    record Sample(int stable, int stableReady, int canary, int canaryReady, int weight) {
        int pods() {
            return Math.max(stable, stableReady) + Math.max(canary, canaryReady);
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
        client.resource(RolloutOnMockApiServerTest.gateway("public-gw")).create();
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
        kubelet.close();
        cluster.close();
    }

    static ServerSpec gpuServer(boolean dynamic) {
        ServerSpec server = new ServerSpec()
                .withReplicas(4)
                .withCanary(new CanaryScaleSpec().withMatchTrafficWeight(true))
                .withTemplate(new PodTemplateSpecBuilder()
                        .withNewSpec()
                        .addNewContainer()
                        .withName("model-server")
                        .withNewResources()
                        .withLimits(Map.of("nvidia.com/gpu", new Quantity("2")))
                        .endResources()
                        .endContainer()
                        .endSpec()
                        .build());
        return dynamic ? server.withDynamicStableScale(new DynamicStableScaleSpec()) : server;
    }

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
        } catch (RuntimeException e) {
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

    /** 1.0.0 promoted, then 2.0.0 at public 50% (stable 3, canary 2, all ready), sampled from the edit on. */
    void atFiftyPercent() {
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
        await().atMost(SETTLE).until(() -> lastSample().equals(new Sample(3, 3, 2, 2, 50)));
    }

    /** At public 50%, the deadline passes: a rollback that holds 50% on the canary while stable has 3 of 4 ready. */
    void rolledBackAndHeld() {
        atFiftyPercent();
        kubelet.close(); // from here on the test says when pods are ready
        clock.advance(Duration.ofMinutes(11)); // the deadline passes: a rollback
        poke();
        awaitStatus(
                s -> s.getPhase() == Phase.ROLLED_BACK && Integer.valueOf(50).equals(s.getCanaryHeldWeight()));
        await().atMost(SETTLE).until(() -> replicas("assistant-stable") == 4);
    }

    /** While stable had fewer than 4 ready pods after {@code from}, the route kept {@code held}% on the canary. */
    void noTrafficBackBeforeStableIsWhole(int from, int held) {
        List<Sample> all = new ArrayList<>(samples);
        List<Sample> seen = all.subList(from, all.size());
        for (Sample s : seen) {
            if (s.stableReady() < 4) {
                assertThat(s.weight())
                        .as("traffic back on a stable that is not whole: %s", s)
                        .isEqualTo(held);
            }
        }
    }

    @Test
    void aRollbackWhoseSecondStatusWriteFailsStillKeepsTheCanarysShareUntilStableIsWhole() {
        atFiftyPercent();
        kubelet.close(); // from here on the test says when pods are ready
        int from = samples.size();
        // the rollback's pass writes its status twice: the decision before anything moves, then what the routes did;
        // the second write fails (as a restart inside that pass would lose it)
        AtomicInteger rolledBackWrites = new AtomicInteger();
        api.failNext(
                1,
                409,
                r -> r.isStatusPatch("modelreleases", "assistant")
                        && r.body().contains("RolledBack")
                        && rolledBackWrites.incrementAndGet() == 2);
        clock.advance(Duration.ofMinutes(11)); // the deadline passes: a rollback
        poke();
        awaitStatus(s -> s.getPhase() == Phase.ROLLED_BACK);
        await().atMost(SETTLE).until(() -> api.failuresServed() == 1 && replicas("assistant-stable") == 4);
        pause(Duration.ofSeconds(2)); // the retried passes
        assertThat(lastSample().weight())
                .as("stable has 3 of 4 pods ready: the route keeps the canary's share")
                .isEqualTo(50);
        ModelReleaseStatus held = status();
        assertThat(held.getCanaryHeldWeight()).isEqualTo(50);
        assertThat(held.getCanaryHeldSince()).isNotNull();

        markReady("assistant-stable", 4);
        await().atMost(Duration.ofSeconds(20)).until(() -> lastSample().weight() == 0);
        sampling = false;
        noTrafficBackBeforeStableIsWhole(from, 50);
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
    void aRollbackThatCannotBeStoredHoldsForAtMostTheDeadlineAndSaysWhereTheUsersAre() {
        atFiftyPercent();
        kubelet.close(); // from here on the test says when pods are ready
        // every status write that would record the rollback is refused (a schema 422, a webhook)
        api.failNext(
                1_000_000,
                422,
                r -> r.isStatusPatch("modelreleases", "assistant") && r.body().contains("RolledBack"));
        clock.advance(Duration.ofMinutes(11)); // the deadline passes: a rollback
        poke();
        await().atMost(Duration.ofSeconds(20)).until(() -> api.failuresServed() > 0 && hasEvent("RouteDrift"));
        pause(Duration.ofSeconds(1));
        assertThat(lastSample().weight())
                .as("stable has 3 of 4 pods ready: the route keeps the canary's share")
                .isEqualTo(50);
        assertThat(events("RouteDrift"))
                .as("the event says where the users are")
                .anySatisfy(m -> assertThat(m).contains("could not be stored", "keep 50% of public traffic"))
                .noneSatisfy(m -> assertThat(m).contains("its users were sent to stable"));
        assertThat(status().getPhase()).as("not stored").isNotEqualTo(Phase.ROLLED_BACK);

        clock.advance(Duration.ofMinutes(11)); // progressDeadline from the hold's start, unstored as it is
        poke();
        await().atMost(Duration.ofSeconds(20)).until(() -> lastSample().weight() == 0);
        assertThat(lastSample().stableReady()).isEqualTo(3);
    }

    /** The messages of this release's events of {@code reason}. */
    List<String> events(String reason) {
        return client.v1().events().inNamespace(Releases.NS).list().getItems().stream()
                .filter(e -> reason.equals(e.getReason()))
                .map(io.fabric8.kubernetes.api.model.Event::getMessage)
                .toList();
    }

    @Test
    void onACrdThatPrunesCanaryHeldSinceTheHoldIsStillBoundedByTheDeadline() {
        api.pruning = true;
        rolledBackAndHeld();
        ModelReleaseStatus held = awaitStatus(s -> "WaitingForStable".equals(condition(s, "CapacityHold")));
        assertThat(held.getCanaryHeldSince()).as("pruned by the API server").isNull();
        pause(Duration.ofSeconds(1));
        assertThat(lastSample().weight()).isEqualTo(50);

        clock.advance(Duration.ofMinutes(11)); // progressDeadline (10m) from the hold's start
        poke();
        await().atMost(Duration.ofSeconds(20)).until(() -> lastSample().weight() == 0);
        assertThat(lastSample().stableReady()).isEqualTo(3);
        awaitStatus(s -> "StableShort".equals(condition(s, "CapacityHold")));
    }

    @Test
    void anInvalidSpecWithAnUnreadableDeadlineAndMoreReplicasHoldsWithTheDefaultBoundAtTheLastValidSize() {
        atFiftyPercent();
        kubelet.close(); // from here on the test says when pods are ready
        int from = samples.size();
        edit(r -> {
            r.getSpec().setProgressDeadline("soon"); // invalid
            r.getSpec().getServer().setReplicas(8); // from a spec that failed validation: not a size to grow to
        });
        ModelReleaseStatus st = awaitStatus(
                s -> s.getPhase() == Phase.INVALID && "WaitingForStable".equals(condition(s, "CapacityHold")));
        assertThat(st.getConditions())
                .filteredOn(c -> "CapacityHold".equals(c.getType()))
                .singleElement()
                .satisfies(
                        c -> assertThat(c.getMessage()).contains("spec.progressDeadline soon is unreadable", "120m"));
        await().atMost(SETTLE).until(() -> replicas("assistant-stable") == 4);
        pause(Duration.ofSeconds(1));
        assertThat(replicas("assistant-stable"))
                .as("the size the release last ran")
                .isEqualTo(4);
        assertThat(lastSample().weight()).isEqualTo(50);

        markReady("assistant-stable", 4);
        await().atMost(Duration.ofSeconds(20)).until(() -> lastSample().weight() == 0);
        sampling = false;
        noTrafficBackBeforeStableIsWhole(from, 50);
        assertThat(replicas("assistant-stable")).isEqualTo(4);
    }

    @Test
    void anInvalidEditThatDropsReplicasAndRaisesTheSurgeStillHoldsUntilStableIsBackAtTheLastValidSize() {
        atFiftyPercent();
        assertThat(status().getCapacity().getReplicas()).isEqualTo(4);
        kubelet.close();
        int from = samples.size();
        edit(r -> {
            r.getSpec().getTraffic().setScaleDownDelay("2h"); // invalid: at most 1h
            // neither is to be trusted from a spec that failed validation: without replicas the default is 2, and a
            // surge of 100 (the schema's maximum) would make the last valid size look like stable's 3 pods
            r.getSpec().getServer().setReplicas(null);
            r.getSpec().getServer().setDynamicStableScale(new DynamicStableScaleSpec().withSurge(100));
        });
        awaitStatus(s -> s.getPhase() == Phase.INVALID);
        await().atMost(SETTLE).until(() -> replicas("assistant-stable") == 4);
        pause(Duration.ofSeconds(1));
        assertThat(lastSample())
                .as("stable has 3 of 4 pods ready: the route keeps the canary's share")
                .isEqualTo(new Sample(4, 3, 2, 2, 50));
        assertThat(status().getCapacity().getReplicas())
                .as("an Invalid pass keeps the record")
                .isEqualTo(4);

        markReady("assistant-stable", 4);
        await().atMost(Duration.ofSeconds(20)).until(() -> lastSample().weight() == 0);
        sampling = false;
        noTrafficBackBeforeStableIsWhole(from, 50);
    }

    @Test
    void aReleaseThatTurnsInvalidWithDynamicStableScaleKeepsTheCanarysShareUntilStableIsWholeAndReady() {
        atFiftyPercent();
        kubelet.close();
        int from = samples.size();
        edit(r -> r.getSpec().getTraffic().setScaleDownDelay("2h")); // invalid: at most 1h
        awaitStatus(s -> s.getPhase() == Phase.INVALID);
        await().atMost(SETTLE).until(() -> replicas("assistant-stable") == 4);
        pause(Duration.ofSeconds(1));
        assertThat(lastSample())
                .as("stable has 3 of 4 pods ready: the route keeps the canary's share")
                .isEqualTo(new Sample(4, 3, 2, 2, 50));
        ModelReleaseStatus held = status();
        assertThat(held.getCanaryHeldWeight()).isEqualTo(50);
        assertThat(held.getCanaryHeldSince()).isNotNull();
        assertThat(condition(held, "CapacityHold")).isEqualTo("WaitingForStable");

        markReady("assistant-stable", 4);
        await().atMost(Duration.ofSeconds(20)).until(() -> lastSample().weight() == 0);
        ModelReleaseStatus back = awaitStatus(s -> s.getPhase() == Phase.INVALID && s.getCanaryHeldWeight() == null);
        sampling = false;
        assertThat(back.getCanaryHeldSince()).isNull();
        assertThat(condition(back, "CapacityHold")).isNull();
        noTrafficBackBeforeStableIsWhole(from, 50);
    }

    @Test
    void aValidEditThatDropsTheCapacityFieldsDuringAHoldKeepsTheCanarysShareUntilStableIsWhole() {
        rolledBackAndHeld();
        int from = samples.size();
        // the SRE takes server.canary and dynamicStableScale out while the routes hold 50% on the canary: a valid spec,
        // but the hold in progress is not over (stable has 3 of 4 pods ready)
        edit(r -> {
            r.getSpec().getServer().setCanary(null);
            r.getSpec().getServer().setDynamicStableScale(null);
        });
        awaitStatus(s -> s.getObservedGeneration() != null
                && s.getObservedGeneration()
                        .equals(client.resources(ModelRelease.class)
                                .inNamespace(Releases.NS)
                                .withName("assistant")
                                .get()
                                .getMetadata()
                                .getGeneration()));
        poke();
        pause(Duration.ofSeconds(2));
        assertThat(lastSample())
                .as("stable has 3 of 4 pods ready: the route keeps the canary's share")
                .isEqualTo(new Sample(4, 3, 2, 2, 50));
        assertThat(status().getCanaryHeldWeight()).isEqualTo(50);
        assertThat(status().getCapacity().getReplicas())
                .as("still recorded while the hold goes on, for an Invalid edit that may follow")
                .isEqualTo(4);

        markReady("assistant-stable", 4);
        await().atMost(Duration.ofSeconds(20)).until(() -> lastSample().weight() == 0);
        ModelReleaseStatus back = awaitStatus(s -> s.getCanaryHeldWeight() == null);
        sampling = false;
        assertThat(back.getPhase()).isEqualTo(Phase.ROLLED_BACK);
        noTrafficBackBeforeStableIsWhole(from, 50);
    }

    @Test
    void anInvalidEditWhoseStatusCannotBeStoredDuringAStoredHoldKeepsTheCanarysShareUntilStableIsWhole() {
        rolledBackAndHeld();
        assertThat(status().getCanaryHeldSince()).isNotNull();
        int from = samples.size();
        // every status write that would record the Invalid phase is refused (a webhook, a 422)
        api.failNext(
                1_000_000,
                422,
                r -> r.isStatusPatch("modelreleases", "assistant") && r.body().contains("Invalid"));
        edit(r -> r.getSpec().getTraffic().setScaleDownDelay("2h")); // invalid: at most 1h
        await().atMost(SETTLE).until(() -> api.failuresServed() >= 2);
        pause(Duration.ofSeconds(2));
        assertThat(lastSample())
                .as("stable has 3 of 4 pods ready: the route keeps the canary's share")
                .isEqualTo(new Sample(4, 3, 2, 2, 50));

        markReady("assistant-stable", 4);
        await().atMost(Duration.ofSeconds(20)).until(() -> lastSample().weight() == 0);
        sampling = false;
        noTrafficBackBeforeStableIsWhole(from, 50);
    }

    @Test
    void anInvalidEditWhoseStatusCannotBeStoredStillEndsTheStoredHoldAtItsDeadline() {
        rolledBackAndHeld();
        api.failNext(
                1_000_000,
                422,
                r -> r.isStatusPatch("modelreleases", "assistant") && r.body().contains("Invalid"));
        edit(r -> r.getSpec().getTraffic().setScaleDownDelay("2h")); // invalid: at most 1h
        await().atMost(SETTLE).until(() -> api.failuresServed() >= 2);
        pause(Duration.ofSeconds(1));
        assertThat(lastSample().weight()).isEqualTo(50);

        clock.advance(Duration.ofMinutes(11)); // progressDeadline (10m) from the stored start
        poke();
        // past the stored hold's deadline everyone goes to stable, though nothing could be stored
        await().atMost(SETTLE).until(() -> lastSample().weight() == 0);
        assertThat(lastSample().stableReady()).isEqualTo(3);
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

    /** The version label of the Deployment's pod template. */
    String version(String name) {
        Deployment d = deployment(name);
        return d == null
                ? null
                : d.getSpec().getTemplate().getMetadata().getLabels().get("fledge.dev/version");
    }

    /** The reason of the True condition {@code type}, or null. */
    static String condition(ModelReleaseStatus st, String type) {
        return st.getConditions() == null
                ? null
                : st.getConditions().stream()
                        .filter(c -> type.equals(c.getType()) && "True".equals(c.getStatus()))
                        .map(io.fabric8.kubernetes.api.model.Condition::getReason)
                        .findFirst()
                        .orElse(null);
    }

    boolean hasEvent(String reason) {
        return client.v1().events().inNamespace(Releases.NS).list().getItems().stream()
                .anyMatch(e -> reason.equals(e.getReason()));
    }

    // --- sampling

    void startSampling() {
        sampler = new Thread(() -> {
            while (sampling) {
                try {
                    // the route first: stable's ready pods only grow in these tests, so a sample that shows traffic
                    // back on a stable short of pods shows what really happened, never a route moved between reads
                    int weight = publicCanaryWeight();
                    samples.add(new Sample(
                            replicas("assistant-stable"),
                            ready("assistant-stable"),
                            replicas("assistant-canary"),
                            ready("assistant-canary"),
                            weight));
                } catch (KubernetesClientException | NullPointerException e) {
                    // an object not there yet
                }
                pause(Duration.ofMillis(20));
            }
        });
        sampler.setDaemon(true);
        sampler.start();
    }

    Sample lastSample() {
        return samples.isEmpty() ? new Sample(0, 0, 0, 0, -1) : samples.get(samples.size() - 1);
    }

    /** The canary's percent of the public rule (the route's last rule), 0 when it names no canary. */
    int publicCanaryWeight() {
        HTTPRoute route = client.resources(HTTPRoute.class)
                .inNamespace(Releases.NS)
                .withName("assistant")
                .get();
        if (route == null) {
            return 0;
        }
        List<HTTPRouteRule> rules = route.getSpec().getRules();
        HTTPRouteRule pub = rules.get(rules.size() - 1);
        int total = 0;
        int canary = 0;
        for (HTTPBackendRef b : pub.getBackendRefs()) {
            int w = b.getWeight() == null ? 1 : b.getWeight();
            total += w;
            if ("assistant-canary".equals(b.getName())) {
                canary += w;
            }
        }
        return total == 0 ? 0 : canary * 100 / total;
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
        Deployment d = deployment(name);
        return d == null || d.getStatus() == null || d.getStatus().getReadyReplicas() == null
                ? 0
                : d.getStatus().getReadyReplicas();
    }

    void markReady(String name, int replicas) {
        Deployment d = deployment(name);
        d.setStatus(new DeploymentStatusBuilder()
                .withReplicas(replicas)
                .withReadyReplicas(replicas)
                .withUpdatedReplicas(replicas)
                .withAvailableReplicas(replicas)
                .withObservedGeneration(d.getMetadata().getGeneration())
                .build());
        client.apps().deployments().inNamespace(Releases.NS).resource(d).updateStatus();
    }

    ModelReleaseStatus status() {
        return client.resources(ModelRelease.class)
                .inNamespace(Releases.NS)
                .withName("assistant")
                .get()
                .getStatus();
    }

    /** 1.0.0 promoted with {@code server}, then sampled while 2.0.0 rolls out, until it is promoted. */
    void sampleRolloutToTwo(ServerSpec server) {
        ModelRelease mr = Releases.gatewayApi("assistant", "1.0.0");
        mr.getSpec().setServer(server);
        client.resource(mr).create();
        awaitStatus(s -> s.getPhase() == Phase.PROMOTED && "1.0.0".equals(s.getStableVersion()));
        await().atMost(SETTLE).until(() -> replicas("assistant-canary") == 0);
        startSampling();
        edit(r -> {
            r.getSpec().getModel().setVersion("2.0.0");
            r.getSpec().getModel().setUri("file:///models/2.0.0");
        });
        awaitStatus(s -> s.getPhase() == Phase.PROMOTED && "2.0.0".equals(s.getStableVersion()));
    }

    /** A whole rollout with the promotion's hand-over, pod by pod: {@link CapacityBenchmark#awaitStatus}'s 90 s. */
    ModelReleaseStatus awaitStatus(java.util.function.Predicate<ModelReleaseStatus> p) {
        return CapacityBenchmark.awaitStatus(client, p);
    }

    void edit(java.util.function.Consumer<ModelRelease> change) {
        CapacityBenchmark.edit(client, change);
    }

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
