package dev.fledge.operator.workload;

import static org.assertj.core.api.Assertions.assertThat;

import dev.fledge.api.Labels;
import dev.fledge.core.rollout.ServingIdentity;
import io.fabric8.kubernetes.api.model.apps.Deployment;
import io.fabric8.kubernetes.api.model.apps.DeploymentBuilder;
import org.junit.jupiter.api.Test;

class ReadinessTest {
    static final ServingIdentity V2 = new ServingIdentity("2.0.0", "h2");

    /** A Deployment of 2 replicas whose template runs 2.0.0 with config h2, at generation 2, with this status. */
    static Deployment deployment(Long observed, int replicas, int updated, int ready) {
        return new DeploymentBuilder()
                .withNewMetadata()
                .withName("assistant-canary")
                .withGeneration(2L)
                .addToAnnotations(DesiredDeployment.CONFIG_HASH, "h2")
                .endMetadata()
                .withNewSpec()
                .withReplicas(2)
                .withNewTemplate()
                .withNewMetadata()
                .addToLabels(Labels.VERSION, "2.0.0")
                .endMetadata()
                .endTemplate()
                .endSpec()
                .withNewStatus()
                .withObservedGeneration(observed)
                .withReplicas(replicas)
                .withUpdatedReplicas(updated)
                .withReadyReplicas(ready)
                .endStatus()
                .build();
    }

    @Test
    void aCompletedRolloutIsReady() {
        assertThat(Readiness.ready(deployment(2L, 2, 2, 2), V2)).isTrue();
    }

    @Test
    void readyPodsOfTheSupersededVersionDoNotCountForTheNewOne() {
        // mid-rollout with surge: 2 new pods not ready yet, 2 old pods still ready
        assertThat(Readiness.ready(deployment(2L, 4, 2, 2), V2)).isFalse();
        // one new pod ready, one old pod ready: still not the new version ready
        assertThat(Readiness.ready(deployment(2L, 3, 2, 2), V2)).isFalse();
    }

    @Test
    void aTemplateTheControllerHasNotSeenIsNotReady() {
        assertThat(Readiness.ready(deployment(1L, 2, 2, 2), V2)).isFalse();
        assertThat(Readiness.ready(deployment(null, 2, 2, 2), V2)).isFalse();
    }

    @Test
    void anotherServingConfigurationOfTheSameVersionIsNotReady() {
        assertThat(Readiness.ready(deployment(2L, 2, 2, 2), new ServingIdentity("2.0.0", "h3")))
                .isFalse();
        assertThat(Readiness.ready(deployment(2L, 2, 2, 2), new ServingIdentity("1.0.0", "h2")))
                .isFalse();
        assertThat(Readiness.ready(deployment(2L, 2, 2, 2), new ServingIdentity("2.0.0", null)))
                .as("no recorded configuration: the version decides")
                .isTrue();
    }
}
