package dev.fledge.operator.workload;

import static org.assertj.core.api.Assertions.assertThat;

import dev.fledge.api.ModelRelease;
import dev.fledge.testsupport.MockCluster;
import io.fabric8.kubernetes.api.model.ContainerBuilder;
import io.fabric8.kubernetes.api.model.ObjectMetaBuilder;
import io.fabric8.kubernetes.api.model.apps.Deployment;
import io.fabric8.kubernetes.api.model.apps.DeploymentBuilder;
import io.fabric8.kubernetes.client.KubernetesClient;
import org.junit.jupiter.api.Test;

/**
 * The public Service may name the public port only when the release's Deployments have it: a stable Deployment kept
 * from an operator before template revision 3 (no {@code http-public}) would otherwise lose its public endpoints.
 */
class PublicTargetTest {
    static final String UID = "uid-assistant";

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
                .addNewOwnerReference()
                .withApiVersion("fledge.dev/v1alpha1")
                .withKind("ModelRelease")
                .withName("assistant")
                .withUid(UID)
                .withController(true)
                .endOwnerReference()
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
        assertThat(PublicTarget.namesPublicPort(deployment(true).getSpec().getTemplate()))
                .isTrue();
    }

    @Test
    void aStableKeptWithATemplateWithoutThePublicPortKeepsThePortThatServesIt() {
        assertThat(PublicTarget.namesPublicPort(deployment(false).getSpec().getTemplate()))
                .isFalse();
    }

    /**
     * Fourth #14 review, HIGH 1: during the first promotion of a stable to a template with the public port, the stable
     * keeps its older template to go back to; an abort while the spec is invalid restores it and recomputes no route,
     * so a public Service on the public port would lose every endpoint. It stays on the old port until that is over.
     */
    @Test
    void aStableThatKeepsAnOlderTemplateWithoutThePortKeepsThePublicServiceOnTheOldPortUntilThePromotionIsDone()
            throws Exception {
        try (MockCluster cluster = new MockCluster()) {
            KubernetesClient client = cluster.client();
            Deployment promoting = KeptTemplate.of(deployment(false)).keptIn(deployment(true));
            promoting.getMetadata().setNamespace("ml");
            client.resource(promoting).create();
            Deployment canary = deployment(true);
            canary.getMetadata().setName("assistant-canary");
            canary.getMetadata().setNamespace("ml");
            client.resource(canary).create();
            ModelRelease mr = new ModelRelease();
            mr.setMetadata(new ObjectMetaBuilder()
                    .withName("assistant")
                    .withNamespace("ml")
                    .withUid(UID)
                    .build());
            PublicTarget target = new PublicTarget(client);

            assertThat(target.portName(mr))
                    .as("while the older template is kept")
                    .isEqualTo(ServerDefaults.PORT);

            client.apps()
                    .deployments()
                    .inNamespace("ml")
                    .withName("assistant-stable")
                    .edit(KeptTemplate::noneIn);
            assertThat(target.portName(mr)).as("once the promotion is done").isEqualTo(ServerDefaults.PUBLIC_PORT);
        }
    }

    /**
     * Review of issue 15: a {@code <release>-canary} the release does not own (another team's, or one left by a
     * release of the same name that was deleted) held the public Service on the old port. It is none of the release's
     * tracks: only Deployments the release controls count, as for every write (Ownership).
     */
    @Test
    void aDeploymentUnderTheReleasesNameThatItDoesNotOwnDoesNotHoldThePublicServiceOnTheOldPort() throws Exception {
        try (MockCluster cluster = new MockCluster()) {
            KubernetesClient client = cluster.client();
            Deployment stable = deployment(true);
            stable.getMetadata().setNamespace("ml");
            client.resource(stable).create();
            Deployment foreign = deployment(false);
            foreign.getMetadata().setName("assistant-canary");
            foreign.getMetadata().setNamespace("ml");
            foreign.getMetadata().setOwnerReferences(java.util.List.of());
            client.resource(foreign).create();
            ModelRelease mr = new ModelRelease();
            mr.setMetadata(new ObjectMetaBuilder()
                    .withName("assistant")
                    .withNamespace("ml")
                    .withUid(UID)
                    .build());
            PublicTarget target = new PublicTarget(client);

            assertThat(target.portName(mr)).as("nobody owns it").isEqualTo(ServerDefaults.PUBLIC_PORT);

            client.apps()
                    .deployments()
                    .inNamespace("ml")
                    .withName("assistant-canary")
                    .edit(d -> {
                        d.getMetadata()
                                .setOwnerReferences(stable.getMetadata().getOwnerReferences().stream()
                                        .map(r -> new io.fabric8.kubernetes.api.model.OwnerReferenceBuilder(r)
                                                .withUid("uid-of-an-earlier-assistant")
                                                .build())
                                        .toList());
                        return d;
                    });
            assertThat(target.portName(mr))
                    .as("another release of the same name owns it")
                    .isEqualTo(ServerDefaults.PUBLIC_PORT);

            client.apps()
                    .deployments()
                    .inNamespace("ml")
                    .withName("assistant-canary")
                    .edit(d -> {
                        d.getMetadata().setOwnerReferences(stable.getMetadata().getOwnerReferences());
                        return d;
                    });
            assertThat(target.portName(mr))
                    .as("the release's own canary without the port")
                    .isEqualTo(ServerDefaults.PORT);
        }
    }
}
