package dev.fledge.operator.workload;

import static org.assertj.core.api.Assertions.assertThat;

import io.fabric8.kubernetes.api.model.ContainerStatus;
import io.fabric8.kubernetes.api.model.ContainerStatusBuilder;
import io.fabric8.kubernetes.api.model.Pod;
import io.fabric8.kubernetes.api.model.PodBuilder;
import io.fabric8.kubernetes.api.model.Volume;
import io.fabric8.kubernetes.api.model.VolumeBuilder;
import io.fabric8.kubernetes.api.model.apps.Deployment;
import io.fabric8.kubernetes.api.model.apps.DeploymentBuilder;
import java.time.Duration;
import java.time.Instant;
import java.util.List;
import org.junit.jupiter.api.Test;

class PodTroubleTest {
    static final Instant NOW = Instant.parse("2026-12-02T08:10:00Z");

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
        assertThat(PodTrouble.of(PLAIN, List.of(pulling, loading), NOW)).isEmpty();
        assertThat(PodTrouble.of(PLAIN, List.of(), NOW)).isEmpty();
        assertThat(PodTrouble.of(null, List.of(), NOW)).isEmpty();
    }

    @Test
    void aContainerThatKeepsFailingGivesItsTerminationMessageOnOneBoundedLine() {
        String message = "sha256 mismatch for the model archive\n\tpvc://models/a.zip: expected 1f, got 9a\u0007"
                + "x".repeat(1000);
        var found = PodTrouble.of(PLAIN, List.of(pod("b", crashing("model-server", message)), pod("a", running())), NOW)
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
        var found = PodTrouble.of(PLAIN, List.of(pod("d", crashing("model-server", "late")), init), NOW)
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
        var found = PodTrouble.of(PLAIN, List.of(p), NOW).orElseThrow();
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
        var found = PodTrouble.of(PLAIN, List.of(p), NOW).orElseThrow();
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
        var created = PodTrouble.of(quota, List.of(), NOW).orElseThrow();
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
        var unscheduled = PodTrouble.of(PLAIN, List.of(pending), NOW).orElseThrow();
        assertThat(unscheduled.reason()).isEqualTo("Unschedulable");
        assertThat(unscheduled.message()).contains("pod a cannot be scheduled", "Insufficient nvidia.com/gpu");
    }

    static Pod pod(String name, ContainerStatus... statuses) {
        return pod(name, "7d9f", "2026-12-02T08:00:00Z", statuses);
    }

    /** A pod of the canary's ReplicaSet for pod template {@code hash}, created at {@code created}. */
    @Test
    void aCrashingContainerRunningAgainBetweenBackOffsIsStillTheSameTrouble() {
        ContainerStatus again = new ContainerStatusBuilder(crashing("model-server", "sha256 mismatch"))
                .withRestartCount(4)
                .withNewState()
                .withNewRunning()
                .withStartedAt("2026-12-02T08:05:00Z")
                .endRunning()
                .endState()
                .build();
        ContainerStatus backingOff = new ContainerStatusBuilder(crashing("model-server", "sha256 mismatch"))
                .withRestartCount(4)
                .build();
        var running = PodTrouble.of(PLAIN, List.of(pod("a", again)), NOW).orElseThrow();
        var waiting = PodTrouble.of(PLAIN, List.of(pod("a", backingOff)), NOW).orElseThrow();
        assertThat(running)
                .as("the same reason and message, so no new event nor status write")
                .isEqualTo(waiting);
        assertThat(running.reason()).isEqualTo("CrashLoopBackOff");
    }

    /** A pod scheduled {@code minutes} before {@link #NOW}, its container still being created, with these volumes. */
    static Pod creating(long minutes, Volume... volumes) {
        return new PodBuilder(pod("a", waiting("ContainerCreating", null)))
                .withNewSpec()
                .withVolumes(volumes)
                .endSpec()
                .editStatus()
                .withPhase("Pending")
                .addNewCondition()
                .withType("PodScheduled")
                .withStatus("True")
                .withLastTransitionTime(NOW.minus(Duration.ofMinutes(minutes)).toString())
                .endCondition()
                .endStatus()
                .build();
    }

    static Volume secret(String name, Boolean optional) {
        return new VolumeBuilder()
                .withName("v-" + name)
                .withNewSecret()
                .withSecretName(name)
                .withOptional(optional)
                .endSecret()
                .build();
    }

    /**
     * A Secret volume that does not exist (spec.model.s3.secretName misspelt) keeps the pod in ContainerCreating with
     * no message from the kubelet; after 5 minutes that is trouble, naming what the pod mounts, the model store's
     * Secret first.
     */
    @Test
    void containersStillBeingCreatedFiveMinutesAfterSchedulingNameTheSecretsAndConfigMapsThePodMounts() {
        Volume tokenizer = new VolumeBuilder()
                .withName("tokenizer")
                .withNewConfigMap()
                .withName("tokenizer")
                .endConfigMap()
                .build();
        Volume scratch = new VolumeBuilder()
                .withName("tmp")
                .withNewEmptyDir()
                .endEmptyDir()
                .build();
        Volume store = new VolumeBuilder(secret("model-store", null))
                .withName(ModelStoreS3.VOLUME)
                .build();
        var found = PodTrouble.of(PLAIN, List.of(creating(6, secret("extra", true), tokenizer, scratch, store)), NOW)
                .orElseThrow();
        assertThat(found.reason()).isEqualTo("ContainerCreating");
        assertThat(PodTrouble.REASONS).contains("ContainerCreating");
        assertThat(found.message())
                .startsWith("pod a, container model-server: ContainerCreating, still ContainerCreating since the pod"
                        + " was scheduled at 2026-12-02T08:04:00Z")
                .contains("it mounts secret/model-store, configmap/tokenizer;", "kubectl describe pod a")
                .doesNotContain("secret/extra");
        Pod same = creating(6, secret("extra", true), tokenizer, scratch, store);
        assertThat(PodTrouble.of(PLAIN, List.of(same), NOW.plus(Duration.ofMinutes(1))))
                .as("the same pod a minute later: the same trouble (no status write, no new Event)")
                .contains(found);

        assertThat(PodTrouble.of(PLAIN, List.of(creating(4, secret("model-store", null))), NOW))
                .as("4 minutes: still only slow")
                .isEmpty();
        Volume[] many = java.util.stream.IntStream.range(0, 6)
                .mapToObj(i -> secret("s" + i + "-" + "x".repeat(100), false))
                .toArray(Volume[]::new);
        assertThat(PodTrouble.of(PLAIN, List.of(creating(9, many)), NOW)
                        .orElseThrow()
                        .message())
                .contains("it mounts secret/s0-" + "x".repeat(60) + "…, secret/s1-")
                .contains(", secret/s3-" + "x".repeat(60) + "… and 2 more;");
    }

    /**
     * In a pod with init containers the kubelet says PodInitializing for every container it has not created: a mount
     * that fails shows so on the init containers; a wait after they finished counts from then, so a long download in
     * an init container is no trouble.
     */
    @Test
    void withInitContainersPodInitializingCountsFromSchedulingOrFromTheirEnd() {
        ContainerStatus initWaiting = new ContainerStatusBuilder(waiting("PodInitializing", null))
                .withName("fetch-weights")
                .build();
        Pod mountFails = new PodBuilder(creating(6))
                .editStatus()
                .withInitContainerStatuses(initWaiting)
                .withContainerStatuses(waiting("PodInitializing", null))
                .addNewCondition()
                .withType("Initialized")
                .withStatus("False")
                .endCondition()
                .endStatus()
                .build();
        assertThat(PodTrouble.of(PLAIN, List.of(mountFails), NOW).orElseThrow().message())
                .startsWith("pod a, container fetch-weights: ContainerCreating, still PodInitializing since the pod"
                        + " was scheduled");

        ContainerStatus initRunning = new ContainerStatusBuilder()
                .withName("fetch-weights")
                .withNewState()
                .withNewRunning()
                .endRunning()
                .endState()
                .build();
        Pod downloading = new PodBuilder(mountFails)
                .editStatus()
                .withInitContainerStatuses(initRunning)
                .endStatus()
                .build();
        assertThat(PodTrouble.of(PLAIN, List.of(downloading), NOW))
                .as("an init container that runs is past the mounts")
                .isEmpty();

        Pod initDoneLately = new PodBuilder(mountFails)
                .editStatus()
                .withInitContainerStatuses(new ContainerStatusBuilder()
                        .withName("fetch-weights")
                        .withNewState()
                        .withNewTerminated()
                        .withExitCode(0)
                        .endTerminated()
                        .endState()
                        .build())
                .withConditions(List.of(
                        mountFails.getStatus().getConditions().get(0),
                        new io.fabric8.kubernetes.api.model.PodConditionBuilder()
                                .withType("Initialized")
                                .withStatus("True")
                                .withLastTransitionTime(
                                        NOW.minus(Duration.ofMinutes(2)).toString())
                                .build()))
                .endStatus()
                .build();
        assertThat(PodTrouble.of(PLAIN, List.of(initDoneLately), NOW))
                .as("2 minutes since the init containers finished")
                .isEmpty();
        assertThat(PodTrouble.of(PLAIN, List.of(initDoneLately), NOW.plus(Duration.ofMinutes(4)))
                        .orElseThrow()
                        .message())
                .contains("still PodInitializing since its init containers finished at 2026-12-02T08:08:00Z");
    }

    @Test
    void theKubeletsAlternatingPullReasonsAreOneReason() {
        var pulling = PodTrouble.of(PLAIN, List.of(pod("a", waiting("ErrImagePull", "not found"))), NOW)
                .orElseThrow();
        var backingOff = PodTrouble.of(PLAIN, List.of(pod("a", waiting("ImagePullBackOff", "not found"))), NOW)
                .orElseThrow();
        assertThat(pulling).isEqualTo(backingOff);
        assertThat(pulling.reason()).isEqualTo("ImagePullBackOff");
        assertThat(PodTrouble.REASONS).contains("ImagePullBackOff").doesNotContain("ErrImagePull");
    }

    @Test
    void podsBeingDeletedOfAnOlderTemplateOrNotTheCanarysAreLeftOut() {
        Pod replaced = pod("a-old", "5c8b", "2026-12-02T07:00:00Z", crashing("model-server", "sha256 mismatch"));
        Pod deleting = new PodBuilder(pod("b-deleting", crashing("model-server", "sha256 mismatch")))
                .editMetadata()
                .withDeletionTimestamp("2026-12-02T08:01:00Z")
                .endMetadata()
                .build();
        Pod forged = new PodBuilder(pod("0-forged", crashing("model-server", "run kubectl delete ns prod")))
                .editMetadata()
                .withOwnerReferences(List.of())
                .endMetadata()
                .build();
        Pod fixed = pod("c-new", "7d9f", "2026-12-02T08:02:00Z", running());
        assertThat(PodTrouble.of(PLAIN, List.of(replaced, deleting, forged, fixed), NOW))
                .as("the fixed template's pod is all there is")
                .isEmpty();
    }

    @Test
    void tenantTextCannotReorderOrBreakWhatAnSreReads() {
        String bidi = "ok \u202Egnp.exe\u202C \u2066x\u2069 \u009B31m \u200B\u2028next line";
        var found = PodTrouble.of(PLAIN, List.of(pod("a", crashing("model-server", bidi))), NOW)
                .orElseThrow();
        assertThat(found.message())
                .doesNotContain("\u202E", "\u202C", "\u2066", "\u2069", "\u009B", "\u200B", "\u2028")
                .contains("gnp.exe", "next line");
        String emoji = "y".repeat(PodTrouble.MAX_DETAIL - 1) + "\uD83D\uDE00tail";
        String cut = PodTrouble.clean(emoji, "");
        assertThat(cut).endsWith("\uD83D\uDE00…");
        assertThat(cut.codePoints().filter(cp -> cp >= 0xD800 && cp <= 0xDFFF)).isEmpty();
    }

    static ContainerStatus waiting(String reason, String message) {
        return new ContainerStatusBuilder()
                .withName("model-server")
                .withNewState()
                .withNewWaiting()
                .withReason(reason)
                .withMessage(message)
                .endWaiting()
                .endState()
                .build();
    }

    static Pod pod(String name, String hash, String created, ContainerStatus... statuses) {
        return new PodBuilder()
                .withNewMetadata()
                .withName(name)
                .withCreationTimestamp(created)
                .addToLabels(PodTrouble.TEMPLATE_HASH, hash)
                .addNewOwnerReference()
                .withApiVersion("apps/v1")
                .withKind("ReplicaSet")
                .withName("assistant-canary-" + hash)
                .withUid("rs-" + hash)
                .withController(true)
                .endOwnerReference()
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
