package dev.fledge.core.rollout;

import static org.assertj.core.api.Assertions.assertThat;

import dev.fledge.api.spec.CanaryScaleSpec;
import dev.fledge.api.spec.DynamicStableScaleSpec;
import dev.fledge.api.spec.ServerSpec;
import java.util.ArrayList;
import java.util.List;
import java.util.Set;
import org.junit.jupiter.api.Test;

class CapacityTest {
    private static final Set<String> BOTH = Set.of("internal", "closed");

    private static TrafficSplit at(int weight) {
        return new TrafficSplit("1", "2", BOTH, weight);
    }

    private static Capacity match(int replicas) {
        return Capacity.of(new ServerSpec().withCanary(new CanaryScaleSpec().withMatchTrafficWeight(true)), replicas);
    }

    private static Capacity dynamic(int replicas, Integer surge) {
        return Capacity.of(
                new ServerSpec()
                        .withCanary(new CanaryScaleSpec().withMatchTrafficWeight(true))
                        .withDynamicStableScale(new DynamicStableScaleSpec().withSurge(surge)),
                replicas);
    }

    @Test
    void withoutTheFieldsBothTracksRunAtFullSizeAndTheRoutesFollowAtOnce() {
        Capacity c = Capacity.of(new ServerSpec(), 4);
        assertThat(c.managed()).isFalse();
        for (int w : new int[] {0, 5, 50, 100}) {
            assertThat(c.sizes(at(w), false)).isEqualTo(new Capacity.Sizes(4, 4));
            Capacity.Step s = c.step(at(w), TrafficSplit.stableOnly("1"), 0, 0, false);
            assertThat(s.routed()).isEqualTo(at(w));
            assertThat(s.held()).isFalse();
        }
        assertThat(c.sizes(TrafficSplit.stableOnly("1"), false)).isEqualTo(new Capacity.Sizes(4, 0));
    }

    @Test
    void matchTrafficWeightRunsCeilOfTheWeightAndAtLeastOne() {
        for (int n = 1; n <= 12; n++) {
            Capacity c = match(n);
            for (int w = 0; w <= 100; w++) {
                int expected = Math.max(1, (int) Math.ceil(w * n / 100.0));
                assertThat(c.sizes(at(w), false).canary()).as("n=%d w=%d", n, w).isEqualTo(expected);
                assertThat(c.sizes(at(w), false).stable()).isEqualTo(n);
            }
        }
        assertThat(match(8).sizes(at(0), false).canary()).isEqualTo(1); // internal and closed: one replica
    }

    @Test
    void aFixedCanaryRunsItsNumberInEveryStage() {
        Capacity c = Capacity.of(new ServerSpec().withCanary(new CanaryScaleSpec().withReplicas(2)), 4);
        for (int w : new int[] {0, 5, 50, 100}) {
            assertThat(c.sizes(at(w), false)).isEqualTo(new Capacity.Sizes(4, 2));
        }
    }

    @Test
    void aFirstReleaseRunsItsCanaryAtFullSize() {
        assertThat(dynamic(4, 1).sizes(new TrafficSplit(null, "1", BOTH, 0), false))
                .isEqualTo(new Capacity.Sizes(0, 4));
    }

    @Test
    void dynamicStableScaleKeepsBothTracksWithinReplicasPlusSurgeAndStableCoversItsShare() {
        for (int n = 1; n <= 16; n++) {
            for (int surge = 1; surge <= 3; surge++) {
                Capacity c = dynamic(n, surge);
                for (int w = 0; w <= 100; w++) {
                    Capacity.Sizes s = c.sizes(at(w), false);
                    String as = "n=" + n + " surge=" + surge + " w=" + w;
                    assertThat(s.stable() + s.canary()).as(as).isLessThanOrEqualTo(n + surge);
                    assertThat(s.stable()).as(as).isLessThanOrEqualTo(n);
                    // each track's pods carry no more than 1/n of the traffic each: ready at these sizes, nobody is
                    // overloaded
                    assertThat(s.stable() * 100).as(as).isGreaterThanOrEqualTo((100 - w) * n);
                    assertThat(s.canary() * 100).as(as).isGreaterThanOrEqualTo(w * n);
                }
            }
        }
        assertThat(dynamic(4, null).surge()).isEqualTo(1);
        Capacity c = dynamic(4, 1);
        assertThat(c.sizes(at(0), false)).isEqualTo(new Capacity.Sizes(4, 1));
        assertThat(c.sizes(at(25), false)).isEqualTo(new Capacity.Sizes(4, 1));
        assertThat(c.sizes(at(50), false)).isEqualTo(new Capacity.Sizes(3, 2));
        assertThat(c.sizes(at(100), false)).isEqualTo(new Capacity.Sizes(1, 4));
    }

    @Test
    void whilePromotingStableIsAtFullSize() {
        assertThat(dynamic(4, 1)
                        .sizes(new TrafficSplit("2", "2", BOTH, 0), true)
                        .stable())
                .isEqualTo(4);
    }

    @Test
    void aLargerWeightWaitsForTheCanarysReadyReplicas() {
        Capacity c = dynamic(4, 1);
        Capacity.Step s = c.step(at(50), at(25), 4, 1, false);
        assertThat(s.held()).isTrue();
        // part of the way: as far as one ready canary pod carries (25%, within one percentage point)
        assertThat(s.routed()).isEqualTo(at(26));
        // stable gives up a pod first (it keeps 74%'s need); the canary grows once that pod is gone
        assertThat(s.sizes()).isEqualTo(new Capacity.Sizes(3, 1));
        assertThat(c.step(at(50), at(26), 3, 1, false).sizes()).isEqualTo(new Capacity.Sizes(3, 2));
        Capacity.Step fixed = Capacity.of(new ServerSpec().withCanary(new CanaryScaleSpec().withReplicas(2)), 4)
                .step(at(50), at(25), 4, 1, false);
        assertThat(fixed.routed()).isEqualTo(at(25)); // a fixed canary is not yet at its size: the routes wait
        Capacity one = Capacity.of(new ServerSpec().withCanary(new CanaryScaleSpec().withReplicas(1)), 4);
        assertThat(one.step(at(100), at(50), 4, 1, false).routed())
                .as("a fixed canary at its size takes any weight: its size is the user's choice")
                .isEqualTo(at(100));
        Capacity.Step ready = c.step(at(50), at(25), 3, 2, false);
        assertThat(ready.held()).isFalse();
        assertThat(ready.routed()).isEqualTo(at(50));
    }

    @Test
    void aRollbackMovesNoTrafficBackBeforeStableIsAtFullSizeAndReady() {
        Capacity c = dynamic(4, 1);
        TrafficSplit back = TrafficSplit.stableOnly("1");
        for (int ready = 0; ready < 4; ready++) {
            Capacity.Step s = c.step(back, at(50), ready, 2, false);
            assertThat(s.held()).isTrue();
            assertThat(s.routed().publicCanaryWeight()).isEqualTo(50);
            assertThat(s.sizes().stable()).isEqualTo(4);
        }
        Capacity.Step s = c.step(back, at(50), 4, 2, false);
        assertThat(s.held()).isFalse();
        assertThat(s.routed()).isEqualTo(back);
    }

    private static boolean carries(int ready, int percent, int n) {
        if (percent >= 100) {
            return ready >= n;
        }
        return percent <= 0 || (ready >= 1 && ready * 100 >= (percent - 1) * n);
    }

    /** A cluster in miniature: each pass applies the sizes; a growing track gets one more ready pod per pass. */
    private static final class World {
        final Capacity capacity;
        int stableSpec;
        int stableReady;
        int canarySpec;
        int canaryReady;
        TrafficSplit routed;
        int peakPods;
        final List<String> log = new ArrayList<>();

        World(Capacity capacity, int replicas) {
            this.capacity = capacity;
            this.stableSpec = replicas;
            this.stableReady = replicas;
            this.routed = TrafficSplit.stableOnly("1");
        }

        Capacity.Step pass(TrafficSplit wanted, boolean promoting) {
            Capacity.Step s = capacity.step(wanted, routed, stableReady, canaryReady, promoting);
            // the routes carry s.routed() from now on: every track must be ready for its share of it
            int w = s.routed().canaryRunning() ? s.routed().publicCanaryWeight() : 0;
            int n = capacity.replicas();
            // within one percentage point (weights are whole percents), and all of stable for all of the traffic
            if (!promoting) {
                assertThat(carries(stableReady, 100 - w, n))
                        .as("stable overloaded: %s", log)
                        .isTrue();
            }
            assertThat(carries(canaryReady, w, n))
                    .as("canary overloaded: %s", log)
                    .isTrue();
            routed = s.routed();
            stableSpec = s.sizes().stable();
            if (wanted.canaryRunning()) {
                canarySpec = s.sizes().canary();
            } else if (!s.held()) {
                canarySpec = 0; // drained after the routes left it
            }
            // a pod scaled away is gone by the next pass; a new one is ready a pass later, one at a time
            peakPods = Math.max(peakPods, Math.max(stableSpec, stableReady) + Math.max(canarySpec, canaryReady));
            log.add(wanted.publicCanaryWeight() + "->" + w + " s" + stableSpec + "/" + stableReady + " c" + canarySpec
                    + "/" + canaryReady);
            stableReady = stableReady > stableSpec ? stableSpec : Math.min(stableSpec, stableReady + 1);
            canaryReady = canaryReady > canarySpec ? canarySpec : Math.min(canarySpec, canaryReady + 1);
            return s;
        }

        /** Passes of {@code wanted} until the routes carry it. */
        int settle(TrafficSplit wanted, boolean promoting) {
            for (int i = 0; i < 50; i++) {
                if (!pass(wanted, promoting).held()) {
                    return i + 1;
                }
            }
            throw new AssertionError("never routed " + wanted + ": " + log);
        }
    }

    private static final List<Integer> WEIGHTS = List.of(0, 0, 0, 5, 25, 50, 100);

    @Test
    void aRollbackAtEachStepSendsNothingToStableBeforeItIsAtFullSizeAndReady() {
        for (int n : new int[] {1, 2, 4, 8}) {
            for (int stop = 0; stop < WEIGHTS.size(); stop++) {
                World world = new World(dynamic(n, 1), n);
                for (int i = 0; i <= stop; i++) {
                    world.settle(at(WEIGHTS.get(i)), false);
                    world.settle(at(WEIGHTS.get(i)), false); // the stage runs a while at its size
                }
                TrafficSplit back = TrafficSplit.stableOnly("1");
                while (true) {
                    int readyBefore = world.stableReady;
                    Capacity.Step s = world.pass(back, false);
                    if (!s.held()) {
                        assertThat(readyBefore)
                                .as("n=%d step=%d %s", n, stop, world.log)
                                .isEqualTo(n);
                        break;
                    }
                    assertThat(s.routed().publicCanaryWeight()).isEqualTo(WEIGHTS.get(stop));
                }
                assertThat(world.stableSpec).isEqualTo(n);
            }
        }
    }

    @Test
    void throughTheStagesTheTracksRunAtMostReplicasPlusOne() {
        for (int n : new int[] {1, 2, 4, 8, 10}) {
            World world = new World(dynamic(n, 1), n);
            for (int w : WEIGHTS) {
                world.settle(at(w), false);
                world.settle(at(w), false);
            }
            assertThat(world.peakPods).as("n=%d %s", n, world.log).isLessThanOrEqualTo(n + 1);
        }
    }

    @Test
    void aPromotionHandsTheCanarysShareToStableWithinReplicasPlusOne() {
        for (int n : new int[] {1, 2, 4, 8, 10}) {
            World world = new World(dynamic(n, 1), n);
            for (int w : WEIGHTS) {
                world.settle(at(w), false);
                world.settle(at(w), false);
            }
            // promoting: stable takes version 2 (none of its pods runs it yet); the engine waits for it whole
            world.stableReady = 0;
            TrafficSplit promoting = new TrafficSplit("2", "2", BOTH, 0);
            for (int i = 0; i < 100; i++) {
                boolean held = world.pass(promoting, true).held();
                if (!held && world.stableReady == n) {
                    break; // stable whole and ready, the routes on it: the engine ends the promotion
                }
            }
            assertThat(world.stableSpec).as("n=%d %s", n, world.log).isEqualTo(n);
            assertThat(world.routed).isEqualTo(promoting);
            world.settle(TrafficSplit.stableOnly("2"), false);
            assertThat(world.canarySpec).isZero();
            assertThat(world.peakPods).as("n=%d %s", n, world.log).isLessThanOrEqualTo(n + 1);
        }
    }

    @Test
    void aFirstReleaseIsPromotedToAWholeStableWhateverWeightThePromotingSplitKeeps() {
        World world = new World(dynamic(4, 1), 4);
        world.stableSpec = 0;
        world.stableReady = 0;
        world.canarySpec = 4;
        world.canaryReady = 4;
        world.routed = new TrafficSplit(null, "1", BOTH, 100);
        TrafficSplit promoting = new TrafficSplit("1", "1", BOTH, 100); // a first release promotes at 100%
        for (int i = 0; i < 100 && !(world.stableReady == 4 && world.routed.publicCanaryWeight() == 0); i++) {
            world.pass(promoting, true);
        }
        assertThat(world.stableReady).as("%s", world.log).isEqualTo(4);
        assertThat(world.routed.publicCanaryWeight()).isZero();
        assertThat(world.peakPods).as("%s", world.log).isLessThanOrEqualTo(5);
    }

    @Test
    void withoutDynamicStableScaleAPromotionRunsStableWholeAtOnce() {
        assertThat(match(4).step(new TrafficSplit("2", "2", BOTH, 0), at(100), 0, 4, true)
                        .sizes())
                .isEqualTo(new Capacity.Sizes(4, 4));
    }

    @Test
    void withMatchTrafficWeightAloneStableStaysWholeAndTheCanaryGrowsBeforeItsWeight() {
        World world = new World(match(4), 4);
        for (int w : WEIGHTS) {
            world.settle(at(w), false);
            assertThat(world.stableSpec).isEqualTo(4);
        }
        assertThat(world.peakPods).isEqualTo(8);
    }

    @Test
    void promotingStableDoesNotGrowIntoPodsTheCanaryStillRunsBeforeItsControllerSawItsReplicasLowered() {
        // dynamicStableScale, 4 replicas, surge 1: the canary (4 pods, all still running) was just lowered to 3 and its
        // controller has not observed that yet, so none of its replicas counts as ready for its identity
        Capacity c = Capacity.of(
                new ServerSpec()
                        .withCanary(new CanaryScaleSpec().withMatchTrafficWeight(true))
                        .withDynamicStableScale(new DynamicStableScaleSpec().withSurge(1)),
                4);
        TrafficSplit promoting = new TrafficSplit("2", "2", BOTH, 100);
        Capacity.Step s = c.step(promoting, at(100), 1, 0, 1, 4, true);
        assertThat(s.sizes().stable() + 4)
                .as("stable's pods plus the canary's 4 still running: within replicas + surge")
                .isLessThanOrEqualTo(5);
    }
}
