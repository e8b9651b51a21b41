package dev.fledge.operator.routing;

import static org.assertj.core.api.Assertions.assertThat;

import dev.fledge.api.spec.GatewayApiSpec;
import dev.fledge.api.spec.InferencePoolFailureMode;
import dev.fledge.api.spec.InferencePoolSpec;
import dev.fledge.api.spec.ParentReference;
import dev.fledge.api.status.ServingStatus;
import dev.fledge.core.rollout.TrafficSplit;
import dev.fledge.operator.workload.ServerDefaults;
import java.util.List;
import java.util.Map;
import java.util.Set;
import org.junit.jupiter.api.Test;

/** Issue 17, item 5: the InferencePools of a release that routes to pools, one per track. */
class InferencePoolsTest {
    final InferencePools pools = new InferencePools(new ServerDefaults("img", 8080));

    static GatewayApiSpec gatewayApi(InferencePoolSpec pool) {
        return new GatewayApiSpec()
                .withParentRefs(List.of(new ParentReference().withName("gw")))
                .withInferencePool(pool);
    }

    @Test
    void eachTrackGetsAPoolSelectingItsPodsOnTheServerPortWithItsOwnEndpointPicker() {
        var mr = HttpRoutesTest.release(gatewayApi(new InferencePoolSpec()));
        List<InferencePool> out = pools.desired(mr, TrafficSplit.stableOnly("2"));
        assertThat(out)
                .extracting(p -> p.getMetadata().getName())
                .containsExactly("assistant-stable", "assistant-canary");
        assertThat(out.get(1)).satisfies(p -> {
            assertThat(p.getMetadata().getNamespace()).isEqualTo("ml");
            assertThat(p.getMetadata().getOwnerReferences()).singleElement().satisfies(o -> {
                assertThat(o.getUid()).isEqualTo("u");
                assertThat(o.getController()).isTrue();
            });
            assertThat(p.getSpec().selector().matchLabels())
                    .isEqualTo(Map.of("fledge.dev/release", "assistant", "fledge.dev/track", "canary"));
            assertThat(p.getSpec().targetPorts()).containsExactly(new InferencePool.Port(9000));
            assertThat(p.getSpec().endpointPickerRef())
                    .isEqualTo(new InferencePool.EndpointPickerRef(
                            "assistant-canary-epp", new InferencePool.Port(9002), "FailClose"));
        });
    }

    @Test
    void namedEndpointPickersPortAndFailureModeAreWritten() {
        var mr = HttpRoutesTest.release(gatewayApi(new InferencePoolSpec()
                .withStableEndpointPicker("epp-a")
                .withCanaryEndpointPicker("epp-b")
                .withEndpointPickerPort(9100)
                .withFailureMode(InferencePoolFailureMode.FAIL_OPEN)));
        assertThat(pools.desired(mr, TrafficSplit.stableOnly("2")))
                .extracting(p -> p.getSpec().endpointPickerRef())
                .containsExactly(
                        new InferencePool.EndpointPickerRef("epp-a", new InferencePool.Port(9100), "FailOpen"),
                        new InferencePool.EndpointPickerRef("epp-b", new InferencePool.Port(9100), "FailOpen"));
        assertThat(InferencePools.errors(mr)).isEmpty();
    }

    /**
     * Review of issue 17 item 5, HIGH 1: a pool names a port number, not the container port's name as a Service does.
     * Through a rollout that changes spec.server.port, the stable pool keeps the port stable's pods listen on (the
     * recorded stable's), and only the canary's follows the spec; once promoted (nothing recorded apart), both do.
     */
    @Test
    void throughARolloutThatChangesThePortTheStablePoolKeepsThePortStablesPodsListenOn() {
        var mr = HttpRoutesTest.release(gatewayApi(new InferencePoolSpec())); // spec.server.port 9000
        ServingStatus stable = new ServingStatus();
        stable.setPort(8080);
        var rollout = new TrafficSplit("1", stable, "2", Set.of("internal"), 0);
        assertThat(pools.desired(mr, rollout))
                .extracting(p -> p.getMetadata().getName() + ":"
                        + p.getSpec().targetPorts().get(0).number())
                .containsExactly("assistant-stable:8080", "assistant-canary:9000");
        assertThat(pools.desired(mr, TrafficSplit.stableOnly("2")))
                .extracting(p -> p.getMetadata().getName() + ":"
                        + p.getSpec().targetPorts().get(0).number())
                .containsExactly("assistant-stable:9000", "assistant-canary:9000");
        stable.setPort(null); // recorded without a port: the operator's default
        assertThat(pools.desired(mr, rollout).get(0).getSpec().targetPorts())
                .containsExactly(new InferencePool.Port(8080));
    }

    @Test
    void onePickerForBothPoolsIsRefused() {
        var mr = HttpRoutesTest.release(gatewayApi(
                new InferencePoolSpec().withStableEndpointPicker("epp").withCanaryEndpointPicker("epp")));
        assertThat(InferencePools.errors(mr))
                .singleElement()
                .satisfies(e -> assertThat(e).contains("an endpoint picker serves one pool"));
    }

    @Test
    void withoutInferencePoolThereAreNoPools() {
        var mr = HttpRoutesTest.release(gatewayApi(null));
        assertThat(InferencePools.used(mr)).isFalse();
        assertThat(pools.desired(mr, TrafficSplit.stableOnly("2"))).isEmpty();
        assertThat(InferencePools.errors(mr)).isEmpty();
    }

    @Test
    void aReleaseNameTooLongForTheDefaultEndpointPickerNamesMustNameThem() {
        var mr = HttpRoutesTest.release(gatewayApi(new InferencePoolSpec().withCanaryEndpointPicker("epp-b")));
        mr.getMetadata().setName("a".repeat(53));
        assertThat(InferencePools.errors(mr))
                .singleElement()
                .satisfies(e -> assertThat(e)
                        .startsWith("spec.traffic.gatewayAPI.inferencePool.stableEndpointPicker: the default ")
                        .contains("longer than 63 characters"));
        mr.getMetadata().setName("a".repeat(52));
        assertThat(InferencePools.errors(mr)).isEmpty();
    }
}
