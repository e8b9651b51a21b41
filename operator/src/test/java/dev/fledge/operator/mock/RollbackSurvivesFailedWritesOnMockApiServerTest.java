package dev.fledge.operator.mock;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import dev.fledge.api.ModelRelease;
import dev.fledge.api.status.ModelReleaseStatus;
import dev.fledge.api.status.Phase;
import dev.fledge.operator.gates.ConfiguredGates;
import dev.fledge.operator.gates.metric.MetricGate;
import dev.fledge.operator.gates.metric.MetricGates;
import dev.fledge.operator.gates.metric.QueryResult;
import dev.fledge.operator.k8s.UnstoredDecisions;
import dev.fledge.testsupport.DeploymentReadiness;
import dev.fledge.testsupport.FaultInjectingDispatcher;
import dev.fledge.testsupport.MockCluster;
import io.fabric8.kubernetes.api.model.Service;
import io.fabric8.kubernetes.client.KubernetesClient;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.function.Predicate;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

/**
 * A rollback, once decided, happens whatever write fails: the operator in-process against the mock API server, with a
 * gate that fails once and passes ever after (so a rollback decided again from scratch would not happen).
 */
class RollbackSurvivesFailedWritesOnMockApiServerTest {
    static final String NAME = "assistant";
    final FaultInjectingDispatcher api = new FaultInjectingDispatcher();
    final AtomicInteger evaluations = new AtomicInteger();
    final AtomicBoolean failOnce = new AtomicBoolean();
    MockCluster cluster;
    KubernetesClient client;
    DeploymentReadiness kubelet;
    OperatorUnderTest operator;

    @BeforeEach
    void start() throws Exception {
        cluster = new MockCluster(api);
        client = cluster.client();
        Releases.createNamespace(client);
        kubelet = new DeploymentReadiness(client);
        operator = new OperatorUnderTest(client, gates());
    }

    /** Once armed, the next evaluation fails (error rate 25%); every other one passes. */
    ConfiguredGates gates() {
        return new ConfiguredGates(Map.of(MetricGate.KIND, new MetricGates(q -> {
            evaluations.incrementAndGet();
            return new QueryResult.Value(failOnce.getAndSet(false) ? 0.25 : 0.0);
        })));
    }

    @AfterEach
    void stop() {
        operator.close();
        kubelet.close();
        cluster.close();
    }

    @Test
    void aRollbackWhoseRouteWriteIsRejectedStaysRolledBackAndReachesStable() {
        promote100Then200();
        // the write that sends the internal audience back to stable is refused as invalid, once
        api.failNext(
                1,
                422,
                r -> "PATCH".equals(r.method())
                        && r.path().endsWith("/services/" + NAME + "-internal")
                        && r.body().contains("\"stable\""));

        ModelReleaseStatus s = awaitStatus(st -> st.getRolledBackVersion() != null || versionPromoted(st, "2.0.0"));

        assertThat(s.getRolledBackVersion()).isEqualTo("2.0.0");
        // the rollback is stored first; its route write, the one refused, comes just after
        await().atMost(Duration.ofSeconds(20))
                .untilAsserted(() -> assertThat(api.failuresServed())
                        .as("the rollback's route write was refused")
                        .isEqualTo(1));
        await().atMost(Duration.ofSeconds(20)).untilAsserted(() -> {
            assertThat(internalServiceTrack())
                    .as("the internal audience is back on stable")
                    .isEqualTo("stable");
            ModelReleaseStatus now = status();
            assertThat(now.getPhase()).isEqualTo(Phase.ROLLED_BACK);
            assertThat(now.getStableVersion()).isEqualTo("1.0.0");
        });
    }

    @Test
    void aRollbackWhoseStatusWriteFailsIsStoredByTheRetryNotDecidedAgain() {
        promote100Then200();
        // the status write that records the rollback is refused (409, which the client does not retry), once; the gate
        // would pass if asked again
        api.failNext(
                1, 409, r -> r.isStatusPatch("modelreleases", NAME) && r.body().contains("RolledBack"));

        ModelReleaseStatus s = awaitStatus(st -> st.getRolledBackVersion() != null || versionPromoted(st, "2.0.0"));

        assertThat(api.failuresServed()).isEqualTo(1);
        assertThat(s.getRolledBackVersion())
                .as("the decided rollback, not a fresh verdict")
                .isEqualTo("2.0.0");
        assertThat(s.getPhase()).isEqualTo(Phase.ROLLED_BACK);
        assertThat(evaluations.get()).as("the gate was not asked again").isEqualTo(1);
        await().atMost(Duration.ofSeconds(20))
                .untilAsserted(() -> assertThat(internalServiceTrack()).isEqualTo("stable"));
    }

    @Test
    void aRollbackWhoseStatusWriteIsRefusedForGoodStillSendsItsUsersToStable() {
        promote100Then200();
        // every status write that would record the rollback is refused (as a schema 422 or a webhook would refuse it)
        api.failNext(
                1_000,
                422,
                r -> r.isStatusPatch("modelreleases", NAME) && r.body().contains("RolledBack"));

        await().atMost(Duration.ofSeconds(30))
                .untilAsserted(() -> assertThat(internalServiceTrack())
                        .as("the internal audience is back on stable although the rollback is not stored")
                        .isEqualTo("stable"));
        assertThat(status().getRolledBackVersion()).as("not stored").isNull();
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
        pauseFor(Duration.ofSeconds(3));
        assertThat(internalServiceTrack())
                .as("and stays there while the write is retried")
                .isEqualTo("stable");
    }

    @Test
    void aRollbackWhoseStatusWriteGetsAServerErrorSendsItsUsersToStableWithinSeconds() {
        promote100Then200();
        // every status write that would record the rollback fails with 503 (an overloaded API server, a failing
        // admission webhook): the client must not sit in its own retries before the users are sent to stable
        api.failNext(
                1_000_000,
                503,
                r -> r.isStatusPatch("modelreleases", NAME) && r.body().contains("RolledBack"));
        await().atMost(Duration.ofSeconds(30))
                .pollInterval(Duration.ofMillis(50))
                .untilAsserted(() -> assertThat(api.failuresServed())
                        .as("the rollback's status write failed")
                        .isPositive());

        await().atMost(Duration.ofSeconds(8))
                .pollInterval(Duration.ofMillis(100))
                .untilAsserted(() -> assertThat(internalServiceTrack())
                        .as("the internal audience is back on stable within seconds of the first 503")
                        .isEqualTo("stable"));
        assertThat(status().getRolledBackVersion()).as("not stored").isNull();
    }

    @Test
    void aRollbackWhoseStatusWriteIsRefusedKeepsItsUsersOnStableAcrossAnOperatorRestartAndAnEdit() {
        promote100Then200();
        AtomicBoolean refusing = new AtomicBoolean(true);
        api.failNext(
                1_000_000,
                422,
                r -> refusing.get()
                        && r.isStatusPatch("modelreleases", NAME)
                        && r.body().contains("RolledBack"));
        await().atMost(Duration.ofSeconds(30))
                .untilAsserted(() -> assertThat(api.failuresServed())
                        .as("the rollback's status write was refused")
                        .isPositive());
        await().atMost(Duration.ofSeconds(20))
                .untilAsserted(() -> assertThat(internalServiceTrack()).isEqualTo("stable"));
        assertThat(status().getRolledBackVersion()).as("not stored").isNull();

        // a new operator instance on the same API server (a restart), then an unrelated edit (a new resourceVersion);
        // the gate would pass now
        operator.close();
        operator = new OperatorUnderTest(client, gates());
        List<String> tracks = new java.util.ArrayList<>();
        long until = System.nanoTime() + Duration.ofSeconds(6).toNanos();
        boolean poked = false;
        while (System.nanoTime() < until) {
            tracks.add(String.valueOf(internalServiceTrack()));
            if (!poked && tracks.size() > 40) {
                client.resources(ModelRelease.class)
                        .inNamespace(Releases.NS)
                        .withName(NAME)
                        .edit(r -> {
                            if (r.getMetadata().getAnnotations() == null) {
                                r.getMetadata().setAnnotations(new java.util.HashMap<>());
                            }
                            r.getMetadata().getAnnotations().put("test.fledge.dev/poke", "1");
                            return r;
                        });
                poked = true;
            }
            pauseFor(Duration.ofMillis(50));
        }
        assertThat(tracks)
                .as("the internal audience never goes back to the rolled-back canary")
                .isNotEmpty()
                .allMatch("stable"::equals);
        assertThat(evaluations.get()).as("the gate was not asked again").isEqualTo(1);

        refusing.set(false); // the policy is lifted: the rollback as decided is stored
        ModelReleaseStatus s = awaitStatus(st -> st.getPhase() == Phase.ROLLED_BACK);
        assertThat(s.getRolledBackVersion()).isEqualTo("2.0.0");
        assertThat(s.getStableVersion()).isEqualTo("1.0.0");
        await().atMost(Duration.ofSeconds(20))
                .untilAsserted(() -> assertThat(client.resources(ModelRelease.class)
                                .inNamespace(Releases.NS)
                                .withName(NAME)
                                .get()
                                .getMetadata()
                                .getAnnotations())
                        .as("the kept decision is dropped once stored")
                        .satisfiesAnyOf(
                                a -> assertThat(a).isNull(),
                                a -> assertThat(a).doesNotContainKey(UnstoredDecisions.ANNOTATION)));
        assertThat(internalServiceTrack()).isEqualTo("stable");
    }

    @Test
    void aStoredRollbackWhoseRouteWriteKeepsFailingSaysSoInItsStatusUntilTheUsersAreOnStable() {
        promote100Then200();
        // every write that would send the internal audience back to stable fails once the gate has failed (not a write
        // of the new rollout's start), until the API server recovers
        AtomicBoolean failing = new AtomicBoolean(true);
        api.failNext(
                1_000_000,
                500,
                r -> failing.get()
                        && evaluations.get() > 0
                        && "PATCH".equals(r.method())
                        && r.path().endsWith("/services/" + NAME + "-internal")
                        && r.body().contains("\"stable\""));

        ModelReleaseStatus s = awaitStatus(st -> st.getPhase() == Phase.ROLLED_BACK && notApplied(st) != null);
        assertThat(notApplied(s).getReason()).isEqualTo("WriteFailed");
        assertThat(notApplied(s).getMessage()).contains("500", "retrying");
        assertThat(internalServiceTrack()).as("the write is still failing").isEqualTo("canary");

        failing.set(false);
        await().atMost(Duration.ofSeconds(90))
                .untilAsserted(() -> assertThat(internalServiceTrack()).isEqualTo("stable"));
        ModelReleaseStatus after = awaitStatus(st -> notApplied(st) == null);
        assertThat(after.getPhase()).isEqualTo(Phase.ROLLED_BACK);
    }

    @Test
    void aRollbackNotYetStoredWinsOverASpecThatTurnsInvalidAndStaysTheOutcomeOnceTheSpecIsFixed() {
        promote100Then200();
        AtomicBoolean refusing = new AtomicBoolean(true);
        api.failNext(
                1_000_000,
                422,
                r -> refusing.get()
                        && r.isStatusPatch("modelreleases", NAME)
                        && r.body().contains("RolledBack"));
        await().atMost(Duration.ofSeconds(30))
                .untilAsserted(() -> assertThat(api.failuresServed()).isPositive());
        await().atMost(Duration.ofSeconds(20))
                .untilAsserted(() -> assertThat(internalServiceTrack()).isEqualTo("stable"));

        edit(r -> r.getSpec().getTraffic().setScaleDownDelay("2h")); // invalid: at most 1h
        pauseFor(Duration.ofSeconds(3));
        refusing.set(false); // the rollback can be stored now; the spec is still invalid
        awaitStatus(st -> st.getPhase() == Phase.INVALID);
        assertThat(internalServiceTrack()).isEqualTo("stable");

        edit(r -> r.getSpec().getTraffic().setScaleDownDelay(null)); // fixed
        List<String> tracks = new java.util.ArrayList<>();
        long until = System.nanoTime() + Duration.ofSeconds(6).toNanos();
        while (System.nanoTime() < until) {
            tracks.add(String.valueOf(internalServiceTrack()));
            pauseFor(Duration.ofMillis(50));
        }
        assertThat(tracks)
                .as("the internal audience never goes back to the canary whose gate failed")
                .allMatch("stable"::equals);
        ModelReleaseStatus s = awaitStatus(st -> st.getPhase() != Phase.INVALID);
        assertThat(s.getPhase()).isEqualTo(Phase.ROLLED_BACK);
        assertThat(s.getRolledBackVersion()).isEqualTo("2.0.0");
        assertThat(s.getStableVersion()).isEqualTo("1.0.0");
        assertThat(evaluations.get()).as("the gate was not asked again").isEqualTo(1);
    }

    /** The release's {@code RouteNotApplied} condition, if it holds; else null. */
    private static io.fabric8.kubernetes.api.model.Condition notApplied(ModelReleaseStatus st) {
        return st.getConditions() == null
                ? null
                : st.getConditions().stream()
                        .filter(c -> "RouteNotApplied".equals(c.getType()) && "True".equals(c.getStatus()))
                        .findFirst()
                        .orElse(null);
    }

    private void edit(java.util.function.Consumer<ModelRelease> change) {
        dev.fledge.testsupport.UserEdits.edit(
                client.resources(ModelRelease.class).inNamespace(Releases.NS).withName(NAME), r -> {
                    change.accept(r);
                    return r;
                });
    }

    private static void pauseFor(Duration d) {
        try {
            Thread.sleep(d.toMillis());
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        }
    }

    private void promote100Then200() {
        ModelRelease mr = Releases.gated(NAME, "1.0.0");
        client.resource(mr).create();
        awaitStatus(st -> versionPromoted(st, "1.0.0"));
        evaluations.set(0);
        failOnce.set(true);
        client.resources(ModelRelease.class)
                .inNamespace(Releases.NS)
                .withName(NAME)
                .edit(r -> {
                    r.getSpec().getModel().setVersion("2.0.0");
                    r.getSpec().getModel().setUri("file:///models/2.0.0");
                    return r;
                });
    }

    private static boolean versionPromoted(ModelReleaseStatus st, String version) {
        return st.getPhase() == Phase.PROMOTED && version.equals(st.getStableVersion());
    }

    private String internalServiceTrack() {
        Service svc = client.services()
                .inNamespace(Releases.NS)
                .withName(NAME + "-internal")
                .get();
        return svc == null ? null : svc.getSpec().getSelector().get("fledge.dev/track");
    }

    private ModelReleaseStatus status() {
        return client.resources(ModelRelease.class)
                .inNamespace(Releases.NS)
                .withName(NAME)
                .get()
                .getStatus();
    }

    private ModelReleaseStatus awaitStatus(Predicate<ModelReleaseStatus> p) {
        return Releases.awaitStatus(client, NAME, Duration.ofSeconds(60), p);
    }
}
