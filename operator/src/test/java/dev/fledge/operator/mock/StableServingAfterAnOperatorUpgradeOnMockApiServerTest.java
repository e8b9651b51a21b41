package dev.fledge.operator.mock;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import dev.fledge.api.Labels;
import dev.fledge.api.ModelRelease;
import dev.fledge.api.spec.ServerSpec;
import dev.fledge.api.spec.UpstreamSpec;
import dev.fledge.api.status.ModelReleaseStatus;
import dev.fledge.api.status.Phase;
import dev.fledge.operator.gates.ConfiguredGates;
import dev.fledge.operator.workload.DesiredDeployment;
import dev.fledge.operator.workload.ServerDefaults;
import io.fabric8.kubernetes.api.model.PodTemplateSpec;
import io.fabric8.kubernetes.api.model.PodTemplateSpecBuilder;
import io.fabric8.kubernetes.api.model.Volume;
import io.fabric8.kubernetes.api.model.VolumeBuilder;
import io.fabric8.kubernetes.api.model.VolumeMount;
import io.fabric8.kubernetes.api.model.VolumeMountBuilder;
import io.fabric8.kubernetes.client.utils.Serialization;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;

/**
 * The stable track keeps the serving configuration it was promoted with also across an operator upgrade: an older
 * operator's release (no recorded configuration, no hashes, an older pod template) met by this one.
 */
class StableServingAfterAnOperatorUpgradeOnMockApiServerTest extends StableServingFixture {
    @Test
    void anImageOnlyEditMetByAnUpgradedOperatorIsARolloutAndLeavesStableAlone() {
        upgradeFromAnOperatorWithoutHashes(mr -> mr.getSpec().setServer(new ServerSpec().withImage(NEW_IMAGE)));

        ModelReleaseStatus rollout = awaitStatus(s -> "1.0.0".equals(s.getCanaryVersion()));
        assertThat(rollout.getStable().getImage())
                .as("the stable configuration is read from the stable Deployment, not taken from the spec")
                .isEqualTo(OLD_IMAGE);
        assertThat(serving("assistant-stable")).isEqualTo(List.of("1.0.0", "file:///models/1.0.0", OLD_IMAGE));

        ModelReleaseStatus done = awaitStatus(s -> s.getPhase() == Phase.PROMOTED
                && s.getCanaryVersion() == null
                && NEW_IMAGE.equals(s.getStable().getImage()));
        assertThat(done.getStableVersion()).isEqualTo("1.0.0");
        assertThat(serving("assistant-stable")).isEqualTo(List.of("1.0.0", "file:///models/1.0.0", NEW_IMAGE));
    }

    @Test
    void anUnchangedSpecMetByAnUpgradedOperatorStartsNoRollout() {
        upgradeFromAnOperatorWithoutHashes(mr -> {});

        await().during(Duration.ofSeconds(3)).atMost(Duration.ofSeconds(20)).until(() -> {
            ModelReleaseStatus s = current().getStatus();
            return s.getPhase() == Phase.PROMOTED && s.getCanaryVersion() == null;
        });
        assertThat(serving("assistant-stable")).isEqualTo(List.of("1.0.0", "file:///models/1.0.0", OLD_IMAGE));
    }

    @Test
    void aMissingStableDeploymentMetByAnUpgradedOperatorIsNotTakenForTheSpec() {
        upgradeFromAnOperatorWithoutHashes(mr -> {
            client.apps()
                    .deployments()
                    .inNamespace(Releases.NS)
                    .withName("assistant-stable")
                    .delete();
            mr.getSpec().setServer(new ServerSpec().withImage(NEW_IMAGE));
        });

        ModelReleaseStatus rollout = awaitStatus(s -> "1.0.0".equals(s.getCanaryVersion()));
        assertThat(rollout.getStable().getConfigHash())
                .as("an unreadable stable configuration is unknown, never the spec's")
                .isEqualTo("unknown");
        ModelReleaseStatus done = awaitStatus(s -> s.getPhase() == Phase.PROMOTED
                && s.getCanaryVersion() == null
                && NEW_IMAGE.equals(s.getStable().getImage())
                && !"unknown".equals(s.getStable().getConfigHash()));
        assertThat(done.getStableVersion()).isEqualTo("1.0.0");
    }

    @Test
    void anInFlightCanaryMetByAnUpgradedOperatorRestartsItsRolloutOnAnImageOnlyEdit() {
        edit(mr -> setVersion(mr, "2.0.0"));
        awaitStatus(s -> "closed".equals(s.getStage()));
        kubelet.close(); // new pods never get ready: the restarted rollout stays in its first stage
        kubelet = null;

        upgradeFromAnOperatorWithoutHashes(mr -> mr.getSpec().setServer(new ServerSpec().withImage(NEW_IMAGE)));

        ModelReleaseStatus restarted =
                awaitStatus(s -> "2.0.0".equals(s.getCanaryVersion()) && "preflight".equals(s.getStage()));
        assertThat(restarted.getStableVersion()).isEqualTo("1.0.0");
        assertThat(restarted.getStable().getImage()).isEqualTo(OLD_IMAGE);
        assertThat(serving("assistant-stable")).isEqualTo(List.of("1.0.0", "file:///models/1.0.0", OLD_IMAGE));
    }

    /**
     * Review of the read-only hostPath rule, HIGH 1: an older operator allowed a writable hostPath mount. The upgraded
     * one finds the release Invalid for it, and the Invalid path only scales stable: its pods kept writing in the node
     * directory. Every pass first makes such a mount read-only, and only that changes in stable's template.
     */
    @Test
    void aStableAnOlderOperatorBuiltWithAWritableHostPathGetsItReadOnlyWhileTheReleaseIsInvalid() {
        PodTemplateSpec older = upgradeFromAnOperatorThatAllowedAWritableHostPath(() -> {});

        awaitStatus(s -> s.getPhase() == Phase.INVALID);
        awaitReadOnly(older);
        await().atMost(Duration.ofSeconds(10))
                .until(() -> client.v1().events().inNamespace(Releases.NS).list().getItems().stream()
                        .anyMatch(e -> "HostPathMadeReadOnly".equals(e.getReason())));
        assertThat(current().getStatus().getPhase()).isEqualTo(Phase.INVALID);
    }

    /** Review of that fix, HIGH 1: a release another finalizer holds after its deletion still runs its pods. */
    @Test
    void aStableWithAWritableHostPathGetsItReadOnlyWhileAnotherFinalizerHoldsTheDeletedRelease() {
        PodTemplateSpec older = upgradeFromAnOperatorThatAllowedAWritableHostPath(() -> {
            edit(mr -> mr.getMetadata().setFinalizers(List.of("example.com/hold")));
            client.resources(ModelRelease.class)
                    .inNamespace(Releases.NS)
                    .withName("assistant")
                    .delete();
            assertThat(current().isMarkedForDeletion()).isTrue();
        });

        awaitReadOnly(older);
    }

    /**
     * Stops the operator, gives the stable Deployment a hostPath volume mounted writable as an older operator built
     * it, puts the same into the spec, runs {@code beforeStart}, and starts the operator again. Returns that template.
     */
    private PodTemplateSpec upgradeFromAnOperatorThatAllowedAWritableHostPath(Runnable beforeStart) {
        operator.close();
        Volume node = new VolumeBuilder()
                .withName("models")
                .withNewHostPath()
                .withPath("/srv/models/assistant")
                .withType("Directory")
                .endHostPath()
                .build();
        VolumeMount writable = new VolumeMountBuilder()
                .withName("models")
                .withMountPath("/models")
                .build();
        client.apps()
                .deployments()
                .inNamespace(Releases.NS)
                .withName("assistant-stable")
                .edit(d -> {
                    d.getSpec().getTemplate().getSpec().getVolumes().add(node);
                    d.getSpec()
                            .getTemplate()
                            .getSpec()
                            .getContainers()
                            .get(0)
                            .getVolumeMounts()
                            .add(writable);
                    return d;
                });
        PodTemplateSpec older = deployment("assistant-stable").getSpec().getTemplate();
        edit(mr -> mr.getSpec()
                .setServer(new ServerSpec()
                        .withTemplate(new PodTemplateSpecBuilder()
                                .withNewSpec()
                                .addNewContainer()
                                .withName("model-server")
                                .withVolumeMounts(writable)
                                .endContainer()
                                .withVolumes(node)
                                .endSpec()
                                .build())));
        beforeStart.run();
        operator = new OperatorUnderTest(client, new ConfiguredGates(Map.of()));
        return older;
    }

    /** Stable's template becomes {@code older} with its hostPath mount read-only, and nothing else changes. */
    private void awaitReadOnly(PodTemplateSpec older) {
        PodTemplateSpec expected = Serialization.clone(older);
        expected.getSpec().getContainers().get(0).getVolumeMounts().stream()
                .filter(m -> "models".equals(m.getName()))
                .forEach(m -> m.setReadOnly(true));
        await().atMost(Duration.ofSeconds(20))
                .untilAsserted(() -> assertThat(
                                deployment("assistant-stable").getSpec().getTemplate())
                        .as("stable is not rebuilt from the invalid spec: only the mount becomes read-only")
                        .isEqualTo(expected));
    }

    @Test
    void anOperatorUpgradeLeavesStablesPodTemplateAsItWasPromotedWhileReplicasFollowTheSpec() {
        PodTemplateSpec promoted = upgradeFromAnOperatorWithAnOlderTemplate(
                mr -> mr.getSpec().setServer(new ServerSpec().withReplicas(3)));

        await().atMost(Duration.ofSeconds(20))
                .until(() -> deployment("assistant-stable").getSpec().getReplicas() == 3);
        await().during(Duration.ofSeconds(2))
                .atMost(Duration.ofSeconds(10))
                .untilAsserted(() -> assertThat(
                                deployment("assistant-stable").getSpec().getTemplate())
                        .as("the pod template the older operator built, which passed its gates")
                        .isEqualTo(promoted));
        await().atMost(Duration.ofSeconds(20))
                .until(() -> templateKept(current().getStatus()).isPresent());
        assertThat(templateKept(current().getStatus()).get().getMessage())
                .contains("template revision unrecorded", "next promotion");
        assertThat(current().getStatus().getPhase()).isEqualTo(Phase.PROMOTED);
        assertThat(current().getStatus().getCanaryVersion()).isNull();

        edit(mr -> setVersion(mr, "2.0.0"));
        ModelReleaseStatus done =
                awaitStatus(s -> s.getPhase() == Phase.PROMOTED && "2.0.0".equals(s.getStableVersion()));
        await().atMost(Duration.ofSeconds(20))
                .untilAsserted(() -> assertThat(envNames("assistant-stable"))
                        .as("the promotion brings the template this operator builds, which the canary ran")
                        .contains(Releases.OLDER_TEMPLATE_LACKS));
        assertThat(deployment("assistant-stable").getMetadata().getAnnotations())
                .containsEntry(
                        DesiredDeployment.TEMPLATE_REVISION,
                        deployment("assistant-canary")
                                .getMetadata()
                                .getAnnotations()
                                .get(DesiredDeployment.TEMPLATE_REVISION));
        await().atMost(Duration.ofSeconds(20))
                .until(() -> templateKept(current().getStatus()).isEmpty());
        assertThat(done.getStable().getVersion()).isEqualTo("2.0.0");
    }

    /**
     * A release whose model is on a claim ({@code pvc://}, as examples/vllm.yaml and the cluster tier's 2.1.0) keeps
     * its stable pods across an operator upgrade as any other does. Before, the claim's mount under the operator's
     * directory made the kept-template check refuse its template: the upgraded operator rebuilt stable, and every pod
     * of the model restarted with no gate.
     */
    @Test
    void anOperatorUpgradeLeavesTheStablePodTemplateOfAModelOnAClaimAsItWasPromoted() {
        ModelRelease onClaim = Releases.replicas("weights", "1.0.0");
        onClaim.getSpec().getModel().setUri("pvc://llama-weights/weights/1.0.0");
        client.resource(onClaim).create();
        Releases.awaitStatus(
                client,
                "weights",
                Duration.ofSeconds(60),
                s -> s.getPhase() == Phase.PROMOTED && "1.0.0".equals(s.getStableVersion()));

        operator.close();
        PodTemplateSpec older = Releases.asBuiltByAnOlderOperator(client, "weights-stable")
                .getSpec()
                .getTemplate();
        assertThat(older.getSpec().getVolumes())
                .as("the claim, read-only")
                .filteredOn(v -> "fledge-model".equals(v.getName()))
                .singleElement()
                .satisfies(v -> {
                    assertThat(v.getPersistentVolumeClaim().getClaimName()).isEqualTo("llama-weights");
                    assertThat(v.getPersistentVolumeClaim().getReadOnly()).isTrue();
                });
        assertThat(older.getSpec().getContainers().get(0).getVolumeMounts())
                .filteredOn(m -> "/var/run/fledge/model".equals(m.getMountPath()))
                .singleElement()
                .satisfies(m -> assertThat(m.getReadOnly()).isTrue());
        operator = new OperatorUnderTest(client, new ConfiguredGates(Map.of()));

        awaitKept("weights", older, "the pod template the older operator built, the claim mounted read-only");
    }

    /**
     * Issue 17: a release of another server ({@code spec.server.upstream}, vLLM behind the Fledge sidecar) keeps its
     * stable pods across an operator upgrade, as a release of the Fledge server does. Before, the kept-template check
     * refused any template of two containers, so the upgraded operator rebuilt stable: every pod of the model
     * restarted, with no gate, and reloaded its weights.
     */
    @Test
    void anOperatorUpgradeLeavesTheStablePodTemplateOfAnotherServerAsItWasPromoted() {
        ModelRelease chat = Releases.replicas("chat", "1.0.0");
        chat.getSpec()
                .setServer(new ServerSpec().withImage("vllm/vllm-openai:v0.9.1").withUpstream(new UpstreamSpec()));
        client.resource(chat).create();
        Releases.awaitStatus(
                client,
                "chat",
                Duration.ofSeconds(60),
                s -> s.getPhase() == Phase.PROMOTED && "1.0.0".equals(s.getStableVersion()));

        operator.close();
        PodTemplateSpec older = client.apps()
                .deployments()
                .inNamespace(Releases.NS)
                .withName("chat-stable")
                .edit(d -> {
                    // as an older operator built it: no revision recorded, a lower download limit on the sidecar
                    d.getMetadata().getAnnotations().remove(DesiredDeployment.TEMPLATE_REVISION);
                    d.getSpec().getTemplate().getSpec().getContainers().stream()
                            .filter(c -> ServerDefaults.PROXY_CONTAINER.equals(c.getName()))
                            .flatMap(c -> c.getEnv().stream())
                            .filter(e -> e.getName().equals("FLEDGE_MODEL_MAX_DOWNLOAD_SIZE"))
                            .forEach(e -> e.setValue("1G"));
                    return d;
                })
                .getSpec()
                .getTemplate();
        operator = new OperatorUnderTest(client, new ConfiguredGates(Map.of()));

        awaitKept("chat", older, "the two containers the older operator built, which passed their gates");
    }

    /**
     * The upgraded operator says that release {@code name}'s stable Deployment keeps its template ({@code
     * StableTemplateKept}), and that template stays {@code older} for 2 s.
     */
    private void awaitKept(String name, PodTemplateSpec older, String what) {
        await().atMost(Duration.ofSeconds(20))
                .until(() -> templateKept(client.resources(ModelRelease.class)
                                .inNamespace(Releases.NS)
                                .withName(name)
                                .get()
                                .getStatus())
                        .isPresent());
        await().during(Duration.ofSeconds(2))
                .atMost(Duration.ofSeconds(10))
                .untilAsserted(
                        () -> assertThat(deployment(name + "-stable").getSpec().getTemplate())
                                .as(what)
                                .isEqualTo(older));
    }

    @Test
    void aRollbackAfterAnOperatorUpgradeLeavesStablesPodTemplateAsItWasPromoted() {
        PodTemplateSpec promoted = upgradeFromAnOperatorWithAnOlderTemplate(mr -> setVersion(mr, "2.0.0"));
        awaitStatus(s -> "closed".equals(s.getStage()));
        assertThat(envNames("assistant-canary"))
                .as("the canary runs the template this operator builds: it is gated")
                .contains(Releases.OLDER_TEMPLATE_LACKS);

        edit(mr -> mr.getMetadata().getAnnotations().put(Labels.ACTION, "abort"));

        awaitStatus(st -> st.getPhase() == Phase.ROLLED_BACK);
        await().during(Duration.ofSeconds(2))
                .atMost(Duration.ofSeconds(10))
                .untilAsserted(() -> assertThat(
                                deployment("assistant-stable").getSpec().getTemplate())
                        .isEqualTo(promoted));
    }

    @Test
    void anAbortWhilePromotingAfterAnOperatorUpgradePutsStableBackInTheTemplateItWasPromotedWith() {
        PodTemplateSpec promoted = upgradeFromAnOperatorWithAnOlderTemplate(mr -> {});
        promoting2WithNewImageThatNeverGetsReady();
        assertThat(envNames("assistant-stable"))
                .as("the promotion writes the template the canary ran")
                .contains(Releases.OLDER_TEMPLATE_LACKS);

        edit(mr -> mr.getMetadata().getAnnotations().put(Labels.ACTION, "abort"));

        awaitStatus(st -> st.getPhase() == Phase.ROLLED_BACK);
        await().atMost(Duration.ofSeconds(20))
                .untilAsserted(() -> assertThat(
                                deployment("assistant-stable").getSpec().getTemplate())
                        .as("the recorded configuration in the template it passed its gates in")
                        .isEqualTo(promoted));
        await().atMost(Duration.ofSeconds(20))
                .until(() -> templateKept(current().getStatus()).isPresent());
    }
}
