package dev.fledge.operator.workload;

import static org.assertj.core.api.Assertions.assertThat;

import io.fabric8.kubernetes.api.model.apps.Deployment;
import io.fabric8.kubernetes.api.model.apps.DeploymentBuilder;
import org.junit.jupiter.api.Test;

/**
 * The public Service may name the public port only when no pod it selects lacks it: a stable Deployment kept from an
 * operator before template revision 3 (no {@code http-public}), or one still rolling to a template that has it, would
 * otherwise lose its public endpoints.
 */
class PublicTargetTest {

    private static Deployment deployment(boolean publicPort, int replicas, int updated, long generation, long seen) {
        var container = new io.fabric8.kubernetes.api.model.ContainerBuilder()
                .withName(ServerDefaults.CONTAINER)
                .addNewPort()
                .withName(ServerDefaults.PORT)
                .withContainerPort(8080)
                .endPort();
        if (publicPort) {
            container
                    .addNewPort()
                    .withName(ServerDefaults.PUBLIC_PORT)
                    .withContainerPort(8081)
                    .endPort();
        }
        return new DeploymentBuilder()
                .withNewMetadata()
                .withName("assistant-stable")
                .withGeneration(generation)
                .endMetadata()
                .withNewSpec()
                .withReplicas(replicas)
                .withNewTemplate()
                .withNewSpec()
                .withContainers(container.build())
                .endSpec()
                .endTemplate()
                .endSpec()
                .withNewStatus()
                .withReplicas(replicas)
                .withUpdatedReplicas(updated)
                .withObservedGeneration(seen)
                .endStatus()
                .build();
    }

    @Test
    void aDeploymentWhosePodsAllHaveThePublicPortQualifies() {
        assertThat(PublicTarget.allPodsHavePublicPort(deployment(true, 2, 2, 3, 3)))
                .isTrue();
    }

    @Test
    void aStableKeptWithATemplateWithoutThePublicPortKeepsThePortThatServesIt() {
        assertThat(PublicTarget.allPodsHavePublicPort(deployment(false, 2, 2, 3, 3)))
                .isFalse();
    }

    @Test
    void aDeploymentStillRollingToThePublicPortWaitsUntilEveryPodHasIt() {
        assertThat(PublicTarget.allPodsHavePublicPort(deployment(true, 3, 1, 3, 3)))
                .isFalse();
        assertThat(PublicTarget.allPodsHavePublicPort(deployment(true, 2, 2, 4, 3)))
                .as("the controller has not seen the new template yet")
                .isFalse();
    }
}
