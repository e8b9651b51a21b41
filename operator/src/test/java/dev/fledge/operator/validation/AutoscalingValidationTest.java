package dev.fledge.operator.validation;

import static org.assertj.core.api.Assertions.assertThat;

import dev.fledge.api.spec.AutoscalingSpec;
import dev.fledge.api.spec.CanaryScaleSpec;
import dev.fledge.api.spec.ModelReleaseSpec;
import dev.fledge.api.spec.PodsMetricSpec;
import dev.fledge.api.spec.ServerSpec;
import java.util.List;
import org.junit.jupiter.api.Test;

/** SpecValidator holds server.autoscaling to the CRD's rules (AutoscalersOnRealApiServerTest checks the CRD's). */
class AutoscalingValidationTest {
    final SpecValidator validator = new SpecValidator();

    List<String> errors(ModelReleaseSpec spec) {
        return validator.validate(SpecValidatorTest.release("assistant", spec));
    }

    static AutoscalingSpec twoToSix() {
        return new AutoscalingSpec().withMinReplicas(2).withMaxReplicas(6);
    }

    @Test
    void autoscalingUnderTheGatewayRouterIsValid() {
        assertThat(errors(CapacityValidationTest.gateway(new ServerSpec().withAutoscaling(twoToSix()))))
                .isEmpty();
        assertThat(errors(CapacityValidationTest.gateway(new ServerSpec()
                        .withAutoscaling(new AutoscalingSpec()
                                .withMaxReplicas(3)
                                .withPodsMetric(new PodsMetricSpec()
                                        .withName("vllm_num_requests_waiting")
                                        .withAverageValue("500m"))))))
                .isEmpty();
    }

    @Test
    void theReplicasRouterReplicasOrCanarySizingAreRefused() {
        assertThat(errors(SpecValidatorTest.valid().withServer(new ServerSpec().withAutoscaling(twoToSix()))))
                .singleElement()
                .asString()
                .startsWith("spec.server.autoscaling needs the gatewayAPI router");
        assertThat(errors(CapacityValidationTest.gateway(
                        new ServerSpec().withReplicas(2).withAutoscaling(twoToSix()))))
                .singleElement()
                .asString()
                .startsWith("spec.server.autoscaling: not with server.replicas");
        assertThat(errors(CapacityValidationTest.gateway(new ServerSpec()
                        .withCanary(new CanaryScaleSpec().withMatchTrafficWeight(true))
                        .withAutoscaling(twoToSix()))))
                .contains("spec.server.autoscaling: not with server.canary or server.dynamicStableScale");
    }

    @Test
    void nonsenseIsRefusedWithItsField() {
        assertThat(errors(CapacityValidationTest.gateway(
                        new ServerSpec().withAutoscaling(new AutoscalingSpec().withMinReplicas(2)))))
                .containsExactly("spec.server.autoscaling.maxReplicas: required, between 1 and 100");
        assertThat(errors(CapacityValidationTest.gateway(new ServerSpec()
                        .withAutoscaling(
                                new AutoscalingSpec().withMinReplicas(5).withMaxReplicas(4)))))
                .containsExactly("spec.server.autoscaling.minReplicas: between 1 and maxReplicas (4)");
        assertThat(errors(CapacityValidationTest.gateway(new ServerSpec()
                        .withAutoscaling(twoToSix()
                                .withPodsMetric(
                                        new PodsMetricSpec().withName("q").withAverageValue("five"))))))
                .containsExactly(
                        "spec.server.autoscaling.podsMetric: needs a name and an averageValue such as 5 or 500m");
    }
}
