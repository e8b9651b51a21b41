package dev.fledge.operator.routing;

import static org.assertj.core.api.Assertions.assertThat;

import dev.fledge.api.ModelRelease;
import dev.fledge.api.spec.GatewayApiSpec;
import dev.fledge.api.spec.InferencePoolSpec;
import dev.fledge.api.spec.ParentReference;
import dev.fledge.core.rollout.TrafficSplit;
import dev.fledge.operator.mock.MovableClock;
import dev.fledge.operator.workload.Applier;
import dev.fledge.operator.workload.ServerDefaults;
import dev.fledge.testsupport.FaultInjectingDispatcher;
import dev.fledge.testsupport.MockCluster;
import io.fabric8.kubernetes.client.KubernetesClient;
import java.time.Duration;
import java.util.List;
import java.util.Set;
import java.util.concurrent.atomic.AtomicInteger;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

/**
 * Issue 17, item 5: a release's InferencePools are removed once it stops routing to pools, never while it does; on a
 * cluster without the InferencePool API the sweeps of other releases do not each LIST pools again for ten minutes.
 */
class StalePoolsOnMockApiServerTest {
    final FaultInjectingDispatcher api = new FaultInjectingDispatcher();
    final MovableClock clock = new MovableClock();
    MockCluster cluster;
    KubernetesClient client;
    StaleRoutes stale;
    Applier applier;

    @BeforeEach
    void start() throws Exception {
        cluster = new MockCluster(api);
        client = cluster.client();
        applier = new Applier(client, clock);
        stale = new StaleRoutes(client, applier, clock);
    }

    @AfterEach
    void stop() {
        cluster.close();
    }

    static ModelRelease release(String name, String uid, boolean pools) {
        ModelRelease mr = HttpRoutesTest.release(new GatewayApiSpec()
                .withParentRefs(List.of(new ParentReference().withName("gw")))
                .withInferencePool(pools ? new InferencePoolSpec() : null));
        mr.getMetadata().setName(name);
        mr.getMetadata().setUid(uid);
        return mr;
    }

    List<String> pools() {
        return client.resources(InferencePool.class).inNamespace("ml").list().getItems().stream()
                .map(p -> p.getMetadata().getName())
                .sorted()
                .toList();
    }

    @Test
    void aReleasesPoolsAreKeptWhileItRoutesToPoolsAndRemovedAfterwardsAnotherReleasesNever() {
        InferencePools desired = new InferencePools(new ServerDefaults("img", 8080));
        ModelRelease a = release("a", "uid-a", true);
        ModelRelease b = release("b", "uid-b", true);
        desired.desired(a, TrafficSplit.stableOnly("2")).forEach(applier::apply);
        desired.desired(b, TrafficSplit.stableOnly("2")).forEach(applier::apply);

        assertThat(stale.sweep(a, Set.of("a"), false, true)).isEmpty();
        assertThat(pools()).containsExactly("a-canary", "a-stable", "b-canary", "b-stable");

        assertThat(stale.sweep(release("a", "uid-a", false), Set.of("a"), false, false))
                .isEmpty();
        assertThat(pools()).as("b's pools are b's").containsExactly("b-canary", "b-stable");
    }

    @Test
    void withoutTheInferencePoolApiOneListAnswersForTenMinutes() {
        api.failNext(10, 404, r -> "GET".equals(r.method()) && r.path().endsWith("/inferencepools"));

        assertThat(stale.sweep(release("a", "uid-a", false), Set.of("a"), false, false))
                .isEmpty();
        assertThat(api.failuresServed()).as("the first sweep asked").isEqualTo(1);
        assertThat(stale.sweep(release("b", "uid-b", false), Set.of("b"), false, false))
                .isEmpty();
        assertThat(api.failuresServed()).as("the next one did not").isEqualTo(1);

        clock.advance(Duration.ofMinutes(11));
        assertThat(stale.sweep(release("c", "uid-c", false), Set.of("c"), false, false))
                .isEmpty();
        assertThat(api.failuresServed()).as("asked again after ten minutes").isEqualTo(2);
    }

    /** Review LOW 7: a pool written since the 404 (the CRD installed meanwhile) makes the next sweep list again. */
    @Test
    void aPoolWrittenAfterA404MakesTheNextSweepListPoolsAgain() {
        api.failNext(1, 404, r -> "GET".equals(r.method()) && r.path().endsWith("/inferencepools"));
        assertThat(stale.sweep(release("a", "uid-a", false), Set.of("a"), false, false))
                .isEmpty();
        ModelRelease b = release("b", "uid-b", true);
        new InferencePools(new ServerDefaults("img", 8080))
                .desired(b, TrafficSplit.stableOnly("2"))
                .forEach(applier::apply);
        stale.poolsSeen();
        assertThat(stale.sweep(release("b", "uid-b", false), Set.of("b"), false, false))
                .isEmpty();
        assertThat(pools()).as("b's pools, removed").isEmpty();
    }

    @Test
    void anOperatorWithoutRbacOnPoolsDoesNotFailItsSweeps() {
        api.failNext(10, 403, r -> "GET".equals(r.method()) && r.path().endsWith("/inferencepools"));
        assertThat(stale.sweep(release("a", "uid-a", false), Set.of("a"), false, false))
                .isEmpty();
        assertThat(api.failuresServed()).isEqualTo(1);
    }

    /**
     * Issue 20: a route that waits for its Gateway keeps the pools for that while (keepPools), but the wanted routes
     * and Services did not change, so neither the wait nor its end lists them again. On the old code, whose memo key
     * held keepPools, the three sweeps listed HTTPRoutes and Services three times each.
     */
    @Test
    void waitingForTheGatewayAndItsEndListNoRoutesOrServicesAgain() {
        AtomicInteger lists = new AtomicInteger();
        api.failNext(1, 500, r -> {
            if ("GET".equals(r.method())
                    && (r.path().endsWith("/httproutes") || r.path().endsWith("/services"))) {
                lists.incrementAndGet();
            }
            return false;
        });
        ModelRelease a = release("a", "uid-a", false);

        assertThat(stale.sweep(a, Set.of("a"), false, false)).isEmpty();
        assertThat(lists.get()).as("the first sweep lists routes and Services").isEqualTo(2);
        assertThat(stale.sweep(a, Set.of("a"), false, true)).isEmpty();
        assertThat(stale.sweep(a, Set.of("a"), false, false)).isEmpty();
        assertThat(lists.get()).as("a wait and its end list nothing more").isEqualTo(2);

        assertThat(stale.sweep(a, Set.of("a", "a-internal"), false, false)).isEmpty();
        assertThat(lists.get()).as("another wanted set is swept").isEqualTo(4);
    }

    /** Pools that a route of an earlier generation still names are kept through the wait, removed after it. */
    @Test
    void poolsOfAnEarlierGenerationAreRemovedOnceTheWaitForTheGatewayEnds() {
        ModelRelease used = release("a", "uid-a", true);
        new InferencePools(new ServerDefaults("img", 8080))
                .desired(used, TrafficSplit.stableOnly("2"))
                .forEach(applier::apply);
        assertThat(stale.sweep(used, Set.of("a"), false, true)).isEmpty();

        ModelRelease unused = release("a", "uid-a", false);
        assertThat(stale.sweep(unused, Set.of("a"), false, true)).isEmpty();
        assertThat(pools()).as("kept while the route waits").containsExactly("a-canary", "a-stable");
        assertThat(stale.sweep(unused, Set.of("a"), false, false)).isEmpty();
        assertThat(pools()).as("removed once it was accepted").isEmpty();
    }
}
