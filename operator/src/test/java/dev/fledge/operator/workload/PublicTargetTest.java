package dev.fledge.operator.workload;

import static org.assertj.core.api.Assertions.assertThat;

import io.fabric8.kubernetes.api.model.ContainerBuilder;
import io.fabric8.kubernetes.api.model.apps.Deployment;
import io.fabric8.kubernetes.api.model.apps.DeploymentBuilder;
import org.junit.jupiter.api.Test;

/**
 * The public Service may name the public port only when the release's Deployments have it: a stable Deployment kept
 * from an operator before template revision 3 (no {@code http-public}) would otherwise lose its public endpoints.
 */
class PublicTargetTest {

    private static Deployment deployment(boolean publicPort) {
        var container = new ContainerBuilder()
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
                .endMetadata()
                .withNewSpec()
                .withReplicas(2)
                .withNewTemplate()
                .withNewSpec()
                .withContainers(container.build())
                .endSpec()
                .endTemplate()
                .endSpec()
                .build();
    }

    @Test
    void aDeploymentBuiltByThisOperatorNamesThePublicPort() {
        assertThat(PublicTarget.namesPublicPort(deployment(true))).isTrue();
    }

    @Test
    void aStableKeptWithATemplateWithoutThePublicPortKeepsThePortThatServesIt() {
        assertThat(PublicTarget.namesPublicPort(deployment(false))).isFalse();
    }
}
