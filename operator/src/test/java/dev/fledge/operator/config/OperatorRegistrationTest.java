package dev.fledge.operator.config;

import static org.assertj.core.api.Assertions.assertThat;

import dev.fledge.operator.ModelReleaseReconciler;
import io.javaoperatorsdk.operator.api.reconciler.ControllerConfiguration;
import org.junit.jupiter.api.Test;

/** The setting the operator registers its controller with (PackagedOperatorOnRealApiServerTest: on the jar). */
class OperatorRegistrationTest {
    @Test
    void theReconcilerAsksForAllEvents() {
        assertThat(OperatorRegistration.allEvents(ModelReleaseReconciler.class)).isTrue();
    }

    @Test
    void theSettingIsReadThroughAClientProxyThatExtendsTheReconciler() {
        assertThat(OperatorRegistration.allEvents(Proxy.class)).isTrue();
        assertThat(OperatorRegistration.allEvents(Plain.class)).isFalse();
        assertThat(OperatorRegistration.allEvents(String.class))
                .as("no annotation")
                .isFalse();
    }

    @ControllerConfiguration(triggerReconcilerOnAllEvents = true)
    static class Annotated {}

    /** As ArC's client proxy of a bean class: a subclass without the annotation. */
    static class Proxy extends Annotated {}

    @ControllerConfiguration
    static class Plain {}
}
