package dev.fledge.operator.workload;

import static org.assertj.core.api.Assertions.assertThat;

import io.fabric8.kubernetes.api.model.ContainerStatus;
import io.fabric8.kubernetes.api.model.ContainerStatusBuilder;
import io.fabric8.kubernetes.api.model.Pod;
import io.fabric8.kubernetes.api.model.PodBuilder;
import io.fabric8.kubernetes.api.model.apps.Deployment;
import io.fabric8.kubernetes.api.model.apps.DeploymentBuilder;
import java.util.List;
import org.junit.jupiter.api.Test;

class PodTroubleTest {
    static final Deployment PLAIN = new DeploymentBuilder()
            .withNewMetadata()
            .withName("assistant-canary")
            .endMetadata()
            .withNewStatus()
            .withReplicas(1)
            .withUnavailableReplicas(1)
            .endStatus()
            .build();

    @Test
    void podsThatAreOnlySlowAreNoTrouble() {
        Pod pulling = pod(
                "a",
                new ContainerStatusBuilder()
                        .withName("model-server")
                        .withNewState()
                        .withNewWaiting()
                        .withReason("ContainerCreating")
                        .endWaiting()
                        .endState()
                        .build());
        Pod loading = pod(
                "b",
                new ContainerStatusBuilder()
                        .withName("model-server")
                        .withReady(false)
                        .withNewState()
                        .withNewRunning()
                        .withStartedAt("2026-12-02T08:00:00Z")
                        .endRunning()
                        .endState()
                        .build());
        assertThat(PodTrouble.of(PLAIN, List.of(pulling, loading))).isEmpty();
        assertThat(PodTrouble.of(PLAIN, List.of())).isEmpty();
        assertThat(PodTrouble.of(null, List.of())).isEmpty();
    }

    @Test
    void aContainerThatKeepsFailingGivesItsTerminationMessageOnOneBoundedLine() {
        String message = "sha256 mismatch for the model archive\n\tpvc://models/a.zip: expected 1f, got 9a\u0007"
                + "x".repeat(1000);
        var found = PodTrouble.of(PLAIN, List.of(pod("b", crashing("model-server", message)), pod("a", running())))
                .orElseThrow();
        assertThat(found.reason()).isEqualTo("CrashLoopBackOff");
        assertThat(found.message())
                .startsWith("pod b, container model-server: CrashLoopBackOff, exit code 1: sha256 mismatch for the"
                        + " model archive pvc://models/a.zip: expected 1f, got 9a")
                .doesNotContain("\n", "\t", "\u0007")
                .endsWith("…");
        assertThat(found.message().length()).isLessThan(PodTrouble.MAX_DETAIL + 100);
    }

    @Test
    void theFirstFailingPodByNameIsNamedAndInitContainersCountToo() {
        Pod init = new PodBuilder(pod("c", running()))
                .editStatus()
                .addToInitContainerStatuses(crashing("fetch-weights", "no such bucket"))
                .endStatus()
                .build();
        var found = PodTrouble.of(PLAIN, List.of(pod("d", crashing("model-server", "late")), init))
                .orElseThrow();
        assertThat(found.message()).contains("pod c, container fetch-weights", "no such bucket");
    }

    @Test
    void anImageThatCannotBePulledGivesTheKubeletsMessage() {
        Pod p = pod(
                "a",
                new ContainerStatusBuilder()
                        .withName("model-server")
                        .withNewState()
                        .withNewWaiting()
                        .withReason("ImagePullBackOff")
                        .withMessage("Back-off pulling image \"registry.example/fledge:0.9\"")
                        .endWaiting()
                        .endState()
                        .build());
        var found = PodTrouble.of(PLAIN, List.of(p)).orElseThrow();
        assertThat(found.reason()).isEqualTo("ImagePullBackOff");
        assertThat(found.message()).contains("registry.example/fledge:0.9");
    }

    @Test
    void aContainerThatExitedWithAnErrorBeforeItsBackOffIsTrouble() {
        Pod p = pod(
                "a",
                new ContainerStatusBuilder()
                        .withName("model-server")
                        .withNewState()
                        .withNewTerminated()
                        .withExitCode(137)
                        .withReason("OOMKilled")
                        .endTerminated()
                        .endState()
                        .build());
        var found = PodTrouble.of(PLAIN, List.of(p)).orElseThrow();
        assertThat(found.reason()).isEqualTo("ContainerFailed");
        assertThat(found.message()).contains("exit code 137", "OOMKilled");
    }

    @Test
    void podsThatCannotBeCreatedOrScheduledAreNamed() {
        Deployment quota = new DeploymentBuilder(PLAIN)
                .editStatus()
                .addNewCondition()
                .withType("ReplicaFailure")
                .withStatus("True")
                .withReason("FailedCreate")
                .withMessage("pods \"assistant-canary-1\" is forbidden: exceeded quota: gpus, requested: 8")
                .endCondition()
                .endStatus()
                .build();
        var created = PodTrouble.of(quota, List.of()).orElseThrow();
        assertThat(created.reason()).isEqualTo("FailedCreate");
        assertThat(created.message()).contains("exceeded quota: gpus");

        Pod pending = new PodBuilder(pod("a"))
                .editStatus()
                .withPhase("Pending")
                .addNewCondition()
                .withType("PodScheduled")
                .withStatus("False")
                .withReason("Unschedulable")
                .withMessage("0/3 nodes are available: 3 Insufficient nvidia.com/gpu.")
                .endCondition()
                .endStatus()
                .build();
        var unscheduled = PodTrouble.of(PLAIN, List.of(pending)).orElseThrow();
        assertThat(unscheduled.reason()).isEqualTo("Unschedulable");
        assertThat(unscheduled.message()).contains("pod a cannot be scheduled", "Insufficient nvidia.com/gpu");
    }

    static Pod pod(String name, ContainerStatus... statuses) {
        return new PodBuilder()
                .withNewMetadata()
                .withName(name)
                .endMetadata()
                .withNewStatus()
                .withPhase("Running")
                .withContainerStatuses(statuses)
                .endStatus()
                .build();
    }

    static ContainerStatus running() {
        return new ContainerStatusBuilder()
                .withName("model-server")
                .withReady(true)
                .withNewState()
                .withNewRunning()
                .endRunning()
                .endState()
                .build();
    }

    static ContainerStatus crashing(String container, String message) {
        return new ContainerStatusBuilder()
                .withName(container)
                .withNewState()
                .withNewWaiting()
                .withReason("CrashLoopBackOff")
                .endWaiting()
                .endState()
                .withNewLastState()
                .withNewTerminated()
                .withExitCode(1)
                .withMessage(message)
                .endTerminated()
                .endLastState()
                .build();
    }
}
