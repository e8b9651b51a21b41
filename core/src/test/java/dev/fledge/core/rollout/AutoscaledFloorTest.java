package dev.fledge.core.rollout;

import static org.assertj.core.api.Assertions.assertThat;

import dev.fledge.api.spec.AutoscalingSpec;
import dev.fledge.api.spec.ServerSpec;
import java.util.Set;
import org.junit.jupiter.api.Test;

/** The size each pass shares out under spec.server.autoscaling, and the canary's floor it gives (issue 18, part 3). */
class AutoscaledFloorTest {
    private static final Set<String> BOTH = Set.of("internal", "closed");
    private static final AutoscalingSpec TWO_TO_SIX =
            new AutoscalingSpec().withMinReplicas(2).withMaxReplicas(6);

    private static TrafficSplit at(int weight) {
        return new TrafficSplit("1", "2", BOTH, weight);
    }

    @Test
    void withoutACanaryStablesAutoscalerIsFreeBetweenItsBounds() {
        assertThat(AutoscaledFloor.whole(TWO_TO_SIX, TrafficSplit.stableOnly("1"), false, 5, 0))
                .isEqualTo(2);
    }

    @Test
    void whileACanaryRunsStablesFloorIsWhatItRunsSoItsAutoscalerCannotShrinkIt() {
        for (int weight : new int[] {0, 25, 50, 100}) {
            assertThat(AutoscaledFloor.whole(TWO_TO_SIX, at(weight), false, 5, 3))
                    .as("public weight %d", weight)
                    .isEqualTo(5);
        }
        assertThat(AutoscaledFloor.whole(TWO_TO_SIX, at(50), false, 1, 0))
                .as("never below minReplicas")
                .isEqualTo(2);
    }

    @Test
    void stablesFloorHoldsUntilTheCanaryIsScaledDown() {
        // promoted (or rolled back): the routes left the canary, its pods drain; stable carries everyone
        assertThat(AutoscaledFloor.whole(TWO_TO_SIX, TrafficSplit.stableOnly("2"), false, 5, 5))
                .isEqualTo(5);
        assertThat(AutoscaledFloor.whole(TWO_TO_SIX, TrafficSplit.stableOnly("2"), false, 5, 0))
                .as("the canary at zero: the autoscaler is free")
                .isEqualTo(2);
        // a rollback after the canary's autoscaler grew it past stable: stable takes everyone at the canary's size
        assertThat(AutoscaledFloor.whole(TWO_TO_SIX, TrafficSplit.stableOnly("1"), false, 3, 5))
                .isEqualTo(5);
    }

    @Test
    void promotingTheTrackThatTakesEveryoneIsAsLargeAsTheOneThatCarriedThem() {
        assertThat(AutoscaledFloor.whole(TWO_TO_SIX, at(100), true, 3, 5)).isEqualTo(5);
        // a first release: its canary carried everyone; the stable Deployment is new
        assertThat(AutoscaledFloor.whole(TWO_TO_SIX, new TrafficSplit(null, "1", BOTH, 0), true, 0, 4))
                .isEqualTo(4);
        assertThat(AutoscaledFloor.whole(TWO_TO_SIX, new TrafficSplit(null, "1", BOTH, 0), false, 0, 4))
                .as("a first release before its promotion: its canary's autoscaler is free")
                .isEqualTo(2);
    }

    @Test
    void neverAboveMaxReplicas() {
        assertThat(AutoscaledFloor.whole(TWO_TO_SIX, at(100), true, 9, 12)).isEqualTo(6);
        assertThat(AutoscaledFloor.clamp(TWO_TO_SIX, 9)).isEqualTo(6);
        assertThat(AutoscaledFloor.clamp(TWO_TO_SIX, 1)).isEqualTo(2);
        assertThat(AutoscaledFloor.clamp(TWO_TO_SIX, 0))
                .as("a track with no pods")
                .isZero();
    }

    @Test
    void theCanarysFloorFollowsItsPublicShareOfTheWhole() {
        int whole = AutoscaledFloor.whole(TWO_TO_SIX, at(50), false, 4, 2);
        Capacity capacity = Capacity.of(new ServerSpec().withAutoscaling(TWO_TO_SIX), whole);
        assertThat(capacity.managed()).isTrue();
        assertThat(capacity.sizes(at(0), false)).isEqualTo(new Capacity.Sizes(4, 1));
        assertThat(capacity.sizes(at(25), false)).isEqualTo(new Capacity.Sizes(4, 1));
        assertThat(capacity.sizes(at(50), false)).isEqualTo(new Capacity.Sizes(4, 2));
        assertThat(capacity.sizes(at(100), false)).isEqualTo(new Capacity.Sizes(4, 4));
        // a larger weight waits for the canary's ready pods; a rollback needs stable's, which never shrank
        Capacity.Step up = capacity.step(at(100), at(50), 4, 2, false);
        assertThat(up.held()).isTrue();
        assertThat(up.routed().publicCanaryWeight())
                .as("as far as its 2 ready pods carry")
                .isBetween(50, 99);
        Capacity.Step back = capacity.step(TrafficSplit.stableOnly("1"), at(50), 4, 2, false);
        assertThat(back.held()).isFalse();
    }
}
