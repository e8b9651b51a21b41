package dev.fledge.operator.routing;

import static org.assertj.core.api.Assertions.assertThat;

import dev.fledge.core.rollout.Plan;
import dev.fledge.core.rollout.TrafficSplit;
import java.time.Duration;
import java.util.List;
import java.util.Set;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;

class ReplicasRouterTest {
    final ReplicasRouter router = new ReplicasRouter(null, null, null, null);

    @ParameterizedTest(name = "{0} replicas at {1}% -> stable {2}, canary {3}")
    @CsvSource({"2,0,2,2", "2,5,2,1", "2,25,2,1", "2,50,1,1", "2,100,2,2", "4,25,3,1", "10,5,10,1", "10,50,5,5"})
    void approximatesTheWeightWithReplicaCountsLikeArgoRollouts(int n, int weight, int stable, int canary) {
        Plan plan = new Plan("2", List.of(), Duration.ofMinutes(1), Duration.ofHours(1), false, n, List.of());
        assertThat(router.replicas(plan, new TrafficSplit("1", "2", Set.of("internal", "closed"), weight)))
                .isEqualTo(new Replicas(stable, canary));
    }

    @ParameterizedTest
    @CsvSource({"3"})
    void noCanaryMeansNoCanaryReplicas(int n) {
        Plan plan = new Plan("1", List.of(), Duration.ofMinutes(1), Duration.ofHours(1), false, n, List.of());
        assertThat(router.replicas(plan, TrafficSplit.stableOnly("1"))).isEqualTo(new Replicas(3, 0));
        assertThat(router.replicas(plan, TrafficSplit.stableOnly(null))).isEqualTo(new Replicas(0, 0));
    }
}
