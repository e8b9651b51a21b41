package dev.fledge.operator.mock;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import dev.fledge.api.Labels;
import dev.fledge.api.ModelRelease;
import dev.fledge.api.status.ModelReleaseStatus;
import dev.fledge.api.status.Phase;
import dev.fledge.operator.gates.ConfiguredGates;
import dev.fledge.testsupport.DeploymentReadiness;
import dev.fledge.testsupport.MockCluster;
import io.fabric8.kubernetes.api.model.Condition;
import io.fabric8.kubernetes.api.model.Event;
import io.fabric8.kubernetes.api.model.Pod;
import io.fabric8.kubernetes.api.model.PodBuilder;
import io.fabric8.kubernetes.api.model.apps.Deployment;
import io.fabric8.kubernetes.api.model.apps.DeploymentStatusBuilder;
import io.fabric8.kubernetes.client.KubernetesClient;
import java.time.Duration;
import java.time.Instant;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.function.Predicate;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

/**
 * A canary whose pods cannot start: the release says why (condition {@code CanaryNotReady}, one Warning event per
 * new reason) from what the pods report, while the rollout waits, instead of only "waiting for the canary" until
 * {@code progressDeadline}. The pods here are written as a kubelet would report them.
 */
class CanaryNotReadyOnMockApiServerTest {
    static final String MISMATCH =
            "sha256 mismatch for the model archive file:///models/2.0.0.zip: expected 1f2e, got 9a8b";

    MockCluster cluster;
    KubernetesClient client;
    DeploymentReadiness kubelet;
    OperatorUnderTest operator;

    @BeforeEach
    void start() throws Exception {
        cluster = new MockCluster();
        client = cluster.client();
        Releases.createNamespace(client);
        // every Deployment becomes ready but a canary of 2.0.0, whose pods fail
        kubelet = new DeploymentReadiness(client, Releases.NS, d -> !runs(d, "2.0.0"));
        operator = new OperatorUnderTest(client, new ConfiguredGates(Map.of()));
    }

    @AfterEach
    void stop() {
        operator.close();
        kubelet.close();
        cluster.close();
    }

    @Test
    void aCanaryWhosePodsKeepFailingSaysWhyAndTheConditionGoesOnceItIsReady() {
        client.resource(Releases.replicas("assistant", "1.0.0")).create();
        awaitStatus(s -> s.getPhase() == Phase.PROMOTED && "1.0.0".equals(s.getStableVersion()));

        Releases.edit(client, "assistant", r -> {
            r.getSpec().getModel().setVersion("2.0.0");
            r.getSpec().getModel().setUri("file:///models/2.0.0.zip");
        });
        Deployment canary = awaitCanaryOf("2.0.0");
        client.resource(crashingPod("assistant-canary-7d9f-x2k4q", "2.0.0", MISMATCH))
                .create();
        // a pod of another release, failing too, is not this release's concern
        client.resource(crashingPod("other-canary-5c8b-abcde", "2.0.0", "not ours")
                        .edit()
                        .editMetadata()
                        .addToLabels(Labels.RELEASE, "other")
                        .endMetadata()
                        .build())
                .create();
        notReady(canary);

        ModelReleaseStatus st = awaitStatus(s -> condition(s).isPresent());
        Condition c = condition(st).orElseThrow();
        assertThat(c.getReason()).isEqualTo("CrashLoopBackOff");
        assertThat(c.getMessage())
                .contains("assistant-canary-7d9f-x2k4q", "model-server", "exit code 1", MISMATCH)
                .doesNotContain("not ours")
                .doesNotContain("\n");
        assertThat(st.getPhase()).isEqualTo(Phase.PROGRESSING);
        assertThat(st.getStableVersion()).isEqualTo("1.0.0");
        await().atMost(Duration.ofSeconds(10))
                .untilAsserted(() -> assertThat(warnings("CanaryNotReady"))
                        .singleElement()
                        .satisfies(e -> assertThat(e.getMessage()).contains(MISMATCH)));

        // an operator restart loses what it saw, not what it said: no second event for the same reason
        operator.close();
        operator = new OperatorUnderTest(client, new ConfiguredGates(Map.of()));
        notReady(canary); // a Deployment event: the new operator reconciles and looks at the pods again
        await().pollDelay(Duration.ofSeconds(3)).atMost(Duration.ofSeconds(10)).untilAsserted(() -> {
            assertThat(condition(client.resources(ModelRelease.class)
                            .inNamespace(Releases.NS)
                            .withName("assistant")
                            .get()
                            .getStatus()))
                    .isPresent();
            assertThat(warnings("CanaryNotReady")).hasSize(1);
        });

        // the pod is fixed (a new one runs) and the canary becomes ready: the condition goes, the rollout goes on
        client.pods()
                .inNamespace(Releases.NS)
                .withName("assistant-canary-7d9f-x2k4q")
                .delete();
        ready(client.apps()
                .deployments()
                .inNamespace(Releases.NS)
                .withName("assistant-canary")
                .get());
        ModelReleaseStatus after = awaitStatus(s -> condition(s).isEmpty());
        assertThat(after.getPhase()).isEqualTo(Phase.PROGRESSING);
        assertThat(after.getConditions()).noneMatch(k -> "CanaryNotReady".equals(k.getType()));
        assertThat(warnings("CanaryNotReady")).hasSize(1);
    }

    /**
     * A canary pod that cannot mount a Secret (a store Secret that does not exist) stays ContainerCreating: from 5
     * minutes after it was scheduled the release says so, naming the Secret, while the rollout waits.
     */
    @Test
    void aCanaryPodStillBeingCreatedLongAfterItWasScheduledNamesTheSecretsItMounts() {
        client.resource(Releases.replicas("assistant", "1.0.0")).create();
        awaitStatus(s -> s.getPhase() == Phase.PROMOTED && "1.0.0".equals(s.getStableVersion()));
        Releases.edit(client, "assistant", r -> r.getSpec().getModel().setVersion("2.0.0"));
        Deployment canary = awaitCanaryOf("2.0.0");
        Pod creating = new PodBuilder(crashingPod("assistant-canary-7d9f-m0unt", "2.0.0", "unused"))
                .editSpec()
                .addNewVolume()
                .withName("fledge-model-s3")
                .withNewSecret()
                .withSecretName("model-store-typo")
                .endSecret()
                .endVolume()
                .endSpec()
                .withNewStatus()
                .withPhase("Pending")
                .addNewCondition()
                .withType("PodScheduled")
                .withStatus("True")
                .withLastTransitionTime(
                        Instant.now().minus(Duration.ofMinutes(6)).toString())
                .endCondition()
                .addNewContainerStatus()
                .withName("model-server")
                .withReady(false)
                .withRestartCount(0)
                .withNewState()
                .withNewWaiting()
                .withReason("ContainerCreating")
                .endWaiting()
                .endState()
                .endContainerStatus()
                .endStatus()
                .build();
        client.resource(creating).create();
        notReady(canary);

        ModelReleaseStatus st = awaitStatus(s -> condition(s).isPresent());
        Condition c = condition(st).orElseThrow();
        assertThat(c.getReason()).isEqualTo("ContainerCreating");
        assertThat(c.getMessage())
                .contains("assistant-canary-7d9f-m0unt", "still ContainerCreating since the pod was scheduled")
                .contains("it mounts secret/model-store-typo");
        assertThat(st.getPhase()).isEqualTo(Phase.PROGRESSING);
        assertThat(st.getStableVersion()).isEqualTo("1.0.0");
    }

    /** The canary Deployment, once the operator has written it for {@code version}. */
    Deployment awaitCanaryOf(String version) {
        return await().atMost(Duration.ofSeconds(30))
                .until(
                        () -> client.apps()
                                .deployments()
                                .inNamespace(Releases.NS)
                                .withName("assistant-canary")
                                .get(),
                        d -> d != null && runs(d, version));
    }

    static boolean runs(Deployment d, String version) {
        return d.getSpec() != null
                && d.getSpec().getTemplate().getMetadata().getLabels() != null
                && version.equals(
                        d.getSpec().getTemplate().getMetadata().getLabels().get(Labels.VERSION))
                && Labels.TRACK_CANARY.equals(d.getMetadata().getLabels().get(Labels.TRACK));
    }

    /** The Deployment as the controller reports one whose pod never becomes ready (read again: the operator writes it). */
    void notReady(Deployment read) {
        await().atMost(Duration.ofSeconds(10))
                .ignoreException(io.fabric8.kubernetes.client.KubernetesClientException.class)
                .until(() -> {
                    Deployment d = client.apps()
                            .deployments()
                            .inNamespace(Releases.NS)
                            .withName(read.getMetadata().getName())
                            .get();
                    d.setStatus(notReadyStatus(d));
                    client.apps()
                            .deployments()
                            .inNamespace(Releases.NS)
                            .resource(d)
                            .updateStatus();
                    return true;
                });
    }

    static io.fabric8.kubernetes.api.model.apps.DeploymentStatus notReadyStatus(Deployment d) {
        return new DeploymentStatusBuilder()
                .withReplicas(1)
                .withUpdatedReplicas(1)
                .withReadyReplicas(0)
                .withUnavailableReplicas(1)
                .withObservedGeneration(d.getMetadata().getGeneration())
                .build();
    }

    void ready(Deployment d) {
        int n = d.getSpec().getReplicas();
        d.setStatus(new DeploymentStatusBuilder()
                .withReplicas(n)
                .withUpdatedReplicas(n)
                .withReadyReplicas(n)
                .withAvailableReplicas(n)
                .withObservedGeneration(d.getMetadata().getGeneration())
                .build());
        client.apps().deployments().inNamespace(Releases.NS).resource(d).updateStatus();
    }

    /** A canary pod whose model server exited 1 with {@code message} in its termination log, now backing off. */
    static Pod crashingPod(String name, String version, String message) {
        return new PodBuilder()
                .withNewMetadata()
                .withName(name)
                .withNamespace(Releases.NS)
                .addToLabels(Labels.RELEASE, "assistant")
                .addToLabels(Labels.TRACK, Labels.TRACK_CANARY)
                .addToLabels(Labels.VERSION, version)
                .addToLabels("pod-template-hash", "7d9f")
                .withCreationTimestamp("2026-12-02T08:00:00Z")
                .addNewOwnerReference()
                .withApiVersion("apps/v1")
                .withKind("ReplicaSet")
                .withName(name.substring(0, name.lastIndexOf('-')))
                .withUid("rs-uid")
                .withController(true)
                .endOwnerReference()
                .endMetadata()
                .withNewSpec()
                .addNewContainer()
                .withName("model-server")
                .withImage("fledge/model-server:0.1.0")
                .endContainer()
                .endSpec()
                .withNewStatus()
                .withPhase("Running")
                .addNewContainerStatus()
                .withName("model-server")
                .withReady(false)
                .withRestartCount(3)
                .withNewState()
                .withNewWaiting()
                .withReason("CrashLoopBackOff")
                .withMessage("back-off 40s restarting failed container=model-server")
                .endWaiting()
                .endState()
                .withNewLastState()
                .withNewTerminated()
                .withExitCode(1)
                .withReason("Error")
                .withMessage(message + "\n")
                .endTerminated()
                .endLastState()
                .endContainerStatus()
                .endStatus()
                .build();
    }

    static Optional<Condition> condition(ModelReleaseStatus s) {
        return s.getConditions() == null
                ? Optional.empty()
                : s.getConditions().stream()
                        .filter(c -> "CanaryNotReady".equals(c.getType()) && "True".equals(c.getStatus()))
                        .findFirst();
    }

    ModelReleaseStatus awaitStatus(Predicate<ModelReleaseStatus> p) {
        return Releases.awaitStatus(client, "assistant", Duration.ofSeconds(60), p);
    }

    /** Each occurrence: an Event with a repeat counted on it appears as often as it happened. */
    List<Event> warnings(String reason) {
        return client.v1().events().inNamespace(Releases.NS).list().getItems().stream()
                .filter(e -> "Warning".equals(e.getType()) && reason.equals(e.getReason()))
                .flatMap(e -> java.util.Collections.nCopies(e.getCount() == null ? 1 : e.getCount(), e).stream())
                .toList();
    }
}
