package dev.fledge.operator.validation;

import static org.assertj.core.api.Assertions.assertThat;

import dev.fledge.api.spec.CanaryScaleSpec;
import dev.fledge.api.spec.DynamicStableScaleSpec;
import dev.fledge.api.spec.GatewayApiSpec;
import dev.fledge.api.spec.ModelReleaseSpec;
import dev.fledge.api.spec.ParentReference;
import dev.fledge.api.spec.Router;
import dev.fledge.api.spec.ServerSpec;
import dev.fledge.api.spec.TrafficSpec;
import java.util.List;
import org.junit.jupiter.api.Test;

/** SpecValidator holds server.canary and server.dynamicStableScale to the CRD's rules (CanaryCapacityCrdTest). */
class CapacityValidationTest {
    final SpecValidator validator = new SpecValidator();

    static ModelReleaseSpec gateway(ServerSpec server) {
        return SpecValidatorTest.valid()
                .withServer(server)
                .withTraffic(new TrafficSpec()
                        .withGatewayAPI(
                                new GatewayApiSpec().withParentRefs(List.of(new ParentReference().withName("gw")))));
    }

    static ServerSpec dynamic() {
        return new ServerSpec()
                .withReplicas(4)
                .withCanary(new CanaryScaleSpec().withMatchTrafficWeight(true))
                .withDynamicStableScale(new DynamicStableScaleSpec());
    }

    List<String> errors(ModelReleaseSpec spec) {
        return validator.validate(SpecValidatorTest.release("assistant", spec));
    }

    @Test
    void matchTrafficWeightWithDynamicStableScaleUnderTheGatewayRouterIsValid() {
        assertThat(errors(gateway(dynamic()))).isEmpty();
        assertThat(errors(gateway(new ServerSpec().withCanary(new CanaryScaleSpec().withReplicas(2)))))
                .isEmpty();
    }

    @Test
    void theReplicasRouterRefusesBoth() {
        ModelReleaseSpec spec = SpecValidatorTest.valid().withServer(dynamic());
        assertThat(errors(spec))
                .singleElement()
                .asString()
                .startsWith("spec.server: canary and dynamicStableScale" + " need the gatewayAPI router");
        ModelReleaseSpec named = gateway(dynamic());
        named.getTraffic().setRouter(Router.REPLICAS);
        assertThat(errors(named)).anySatisfy(e -> assertThat(e).contains("need the gatewayAPI router"));
    }

    @Test
    void nonsenseIsRefusedWithItsField() {
        assertThat(errors(gateway(new ServerSpec()
                        .withCanary(new CanaryScaleSpec().withReplicas(2).withMatchTrafficWeight(true)))))
                .containsExactly(
                        "spec.server.canary: set either replicas or matchTrafficWeight: true, not both and not neither");
        assertThat(errors(gateway(new ServerSpec().withCanary(new CanaryScaleSpec()))))
                .containsExactly(
                        "spec.server.canary: set either replicas or matchTrafficWeight: true, not both and not neither");
        assertThat(errors(gateway(new ServerSpec().withCanary(new CanaryScaleSpec().withReplicas(3)))))
                .containsExactly("spec.server.canary.replicas: between 1 and server.replicas (2)");
        assertThat(errors(gateway(new ServerSpec().withDynamicStableScale(new DynamicStableScaleSpec()))))
                .containsExactly("spec.server.dynamicStableScale: needs server.canary.matchTrafficWeight: true");
        ServerSpec zero = dynamic();
        zero.getDynamicStableScale().setSurge(0);
        assertThat(errors(gateway(zero))).containsExactly("spec.server.dynamicStableScale.surge: between 1 and 100");
    }
}
