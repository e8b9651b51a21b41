package dev.fledge.operator.mock;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import dev.fledge.api.Labels;
import dev.fledge.api.ModelRelease;
import dev.fledge.api.spec.ServerSpec;
import dev.fledge.api.status.ModelReleaseStatus;
import dev.fledge.api.status.Phase;
import dev.fledge.operator.gates.ConfiguredGates;
import dev.fledge.operator.workload.DesiredDeployment;
import dev.fledge.operator.workload.Workloads;
import dev.fledge.testsupport.DeploymentReadiness;
import dev.fledge.testsupport.FaultInjectingDispatcher;
import dev.fledge.testsupport.MockCluster;
import io.fabric8.kubernetes.api.model.Condition;
import io.fabric8.kubernetes.api.model.Container;
import io.fabric8.kubernetes.api.model.EnvVar;
import io.fabric8.kubernetes.api.model.NamespaceBuilder;
import io.fabric8.kubernetes.api.model.PodTemplateSpec;
import io.fabric8.kubernetes.api.model.apps.Deployment;
import io.fabric8.kubernetes.client.KubernetesClient;
import java.time.Duration;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.function.Consumer;
import java.util.function.Predicate;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

/**
 * The stable track keeps the serving configuration it was promoted with (status.stable) until the next promotion:
 * a spec edit reaches the canary only, and goes through the stages first.
 */
class StableServingOnMockApiServerTest {
    static final String OLD_IMAGE = "fledge/model-server:0.1.0";
    static final String NEW_IMAGE = "fledge/model-server:0.2.0";

    final FaultInjectingDispatcher api = new FaultInjectingDispatcher();
    MockCluster cluster;
    KubernetesClient client;
    DeploymentReadiness kubelet;
    OperatorUnderTest operator;

    @BeforeEach
    void start() throws Exception {
        cluster = new MockCluster(api);
        client = cluster.client();
        client.namespaces()
                .resource(new NamespaceBuilder()
                        .withNewMetadata()
                        .withName(Releases.NS)
                        .endMetadata()
                        .build())
                .create();
        kubelet = new DeploymentReadiness(client);
        operator = new OperatorUnderTest(client, new ConfiguredGates(Map.of()));
        client.resource(Releases.replicas("assistant", "1.0.0")).create();
        awaitStatus(s -> s.getPhase() == Phase.PROMOTED && "1.0.0".equals(s.getStableVersion()));
    }

    @AfterEach
    void stop() {
        operator.close();
        if (kubelet != null) {
            kubelet.close();
        }
        cluster.close();
    }

    @Test
    void aNewVersionAndImageInOneEditReachStableOnlyAtPromotion() {
        edit(mr -> {
            setVersion(mr, "2.0.0");
            mr.getSpec().setServer(new ServerSpec().withImage(NEW_IMAGE));
        });

        for (Predicate<ModelReleaseStatus> stage : List.<Predicate<ModelReleaseStatus>>of(
                s -> "internal".equals(s.getStage()),
                s -> "closed".equals(s.getStage()),
                s -> "public".equals(s.getStage()) && s.getCanaryWeight() == 100)) {
            awaitStatus(stage);
            assertThat(serving("assistant-stable")).isEqualTo(List.of("1.0.0", "file:///models/1.0.0", OLD_IMAGE));
            assertThat(serving("assistant-canary")).isEqualTo(List.of("2.0.0", "file:///models/2.0.0", NEW_IMAGE));
        }

        ModelReleaseStatus done =
                awaitStatus(s -> s.getPhase() == Phase.PROMOTED && "2.0.0".equals(s.getStableVersion()));
        assertThat(serving("assistant-stable")).isEqualTo(List.of("2.0.0", "file:///models/2.0.0", NEW_IMAGE));
        assertThat(done.getStable().getImage()).isEqualTo(NEW_IMAGE);
        assertThat(done.getStable().getVersion()).isEqualTo("2.0.0");
    }

    @Test
    void afterARollbackStableStillRunsTheOldImage() {
        edit(mr -> {
            setVersion(mr, "2.0.0");
            mr.getSpec().setServer(new ServerSpec().withImage(NEW_IMAGE));
        });
        awaitStatus(s -> "closed".equals(s.getStage()));
        edit(mr -> mr.getMetadata().getAnnotations().put(Labels.ACTION, "abort"));

        ModelReleaseStatus s = awaitStatus(st -> st.getPhase() == Phase.ROLLED_BACK);
        assertThat(s.getStableVersion()).isEqualTo("1.0.0");
        assertThat(s.getStable().getImage()).isEqualTo(OLD_IMAGE);
        assertThat(serving("assistant-stable")).isEqualTo(List.of("1.0.0", "file:///models/1.0.0", OLD_IMAGE));
    }

    @Test
    void anImageChangeWithoutANewVersionIsARolloutThroughTheStages() {
        edit(mr -> mr.getSpec().setServer(new ServerSpec().withImage(NEW_IMAGE)));

        ModelReleaseStatus internal = awaitStatus(s -> "internal".equals(s.getStage()));
        assertThat(internal.getCanaryVersion()).isEqualTo("1.0.0");
        assertThat(internal.getCanaryConfigHash())
                .isNotEqualTo(internal.getStable().getConfigHash());
        assertThat(serving("assistant-stable")).isEqualTo(List.of("1.0.0", "file:///models/1.0.0", OLD_IMAGE));
        assertThat(serving("assistant-canary")).isEqualTo(List.of("1.0.0", "file:///models/1.0.0", NEW_IMAGE));

        ModelReleaseStatus done = awaitStatus(s -> s.getPhase() == Phase.PROMOTED && s.getCanaryVersion() == null);
        assertThat(done.getStable().getImage()).isEqualTo(NEW_IMAGE);
        assertThat(serving("assistant-stable")).isEqualTo(List.of("1.0.0", "file:///models/1.0.0", NEW_IMAGE));
    }

    @Test
    void aReplicasChangeAppliesToStableAtOnceWithoutARollout() {
        edit(mr -> mr.getSpec().setServer(new ServerSpec().withReplicas(3)));

        await().atMost(Duration.ofSeconds(20))
                .until(() -> deployment("assistant-stable").getSpec().getReplicas() == 3);
        ModelReleaseStatus s = current().getStatus();
        assertThat(s.getPhase()).isEqualTo(Phase.PROMOTED);
        assertThat(s.getCanaryVersion()).isNull();
    }

    @Test
    void aNewVersionWhilePromotingPutsStableBackToTheRecordedConfiguration() {
        promoting2WithNewImageThatNeverGetsReady();

        edit(mr -> setVersion(mr, "3.0.0"));

        ModelReleaseStatus s = awaitStatus(st -> "3.0.0".equals(st.getCanaryVersion()));
        assertThat(s.getStableVersion()).isEqualTo("1.0.0");
        await().atMost(Duration.ofSeconds(20))
                .untilAsserted(() -> assertThat(serving("assistant-stable"))
                        .isEqualTo(List.of("1.0.0", "file:///models/1.0.0", OLD_IMAGE)));
        assertThat(serving("assistant-canary"))
                .as("the old canary keeps serving (public 100%) until stable is back and ready")
                .isEqualTo(List.of("2.0.0", "file:///models/2.0.0", NEW_IMAGE));
        markReady("assistant-stable");
        await().atMost(Duration.ofSeconds(20))
                .untilAsserted(() -> assertThat(serving("assistant-canary"))
                        .isEqualTo(List.of("3.0.0", "file:///models/3.0.0", NEW_IMAGE)));
        assertThat(current().getStatus().getStableVersion()).isEqualTo("1.0.0");
    }

    @Test
    void anAbortWhilePromotingPutsStableBackToTheRecordedConfiguration() {
        promoting2WithNewImageThatNeverGetsReady();

        edit(mr -> mr.getMetadata().getAnnotations().put(Labels.ACTION, "abort"));

        ModelReleaseStatus s = awaitStatus(st -> st.getPhase() == Phase.ROLLED_BACK);
        assertThat(s.getStableVersion()).isEqualTo("1.0.0");
        assertThat(s.getRolledBackVersion()).isEqualTo("2.0.0");
        await().atMost(Duration.ofSeconds(20))
                .untilAsserted(() -> assertThat(serving("assistant-stable"))
                        .isEqualTo(List.of("1.0.0", "file:///models/1.0.0", OLD_IMAGE)));
    }

    @Test
    void anAbortWhilePromotingWithAnInvalidSpecPutsStableBackToTheRecordedConfigurationToo() {
        promoting2WithNewImageThatNeverGetsReady();
        // the first writes that would put stable back are refused (a webhook, a quota): a later pass must retry them
        api.failNext(
                4,
                403,
                r -> "PATCH".equals(r.method())
                        && r.path().endsWith("/deployments/assistant-stable")
                        && r.body().contains(OLD_IMAGE));

        edit(mr -> {
            mr.getSpec().getTraffic().setScaleDownDelay("2h"); // invalid: at most 1h
            mr.getMetadata().getAnnotations().put(Labels.ACTION, "abort");
        });

        ModelReleaseStatus s = awaitStatus(st -> "2.0.0".equals(st.getRolledBackVersion()));
        assertThat(s.getStableVersion()).isEqualTo("1.0.0");
        assertThat(s.getPhase()).isEqualTo(Phase.INVALID);
        await().atMost(Duration.ofSeconds(60))
                .untilAsserted(() -> assertThat(serving("assistant-stable"))
                        .as("the stable Deployment runs what the status says it does, although the spec is invalid")
                        .isEqualTo(List.of("1.0.0", "file:///models/1.0.0", OLD_IMAGE)));
        assertThat(api.failuresServed())
                .as("stable's first writes were refused")
                .isPositive();
    }

    /** 2.0.0 on NEW_IMAGE goes through every stage; then no Deployment gets ready, so promotion stays under way. */
    private void promoting2WithNewImageThatNeverGetsReady() {
        edit(mr -> {
            setVersion(mr, "2.0.0");
            mr.getSpec().setServer(new ServerSpec().withImage(NEW_IMAGE));
        });
        awaitStatus(s -> "public".equals(s.getStage()) && s.getCanaryWeight() == 100);
        kubelet.close(); // no Deployment gets ready any more: promotion stays under way
        kubelet = null;
        awaitStatus(s -> "promoting".equals(s.getStage()));
        await().atMost(Duration.ofSeconds(20))
                .until(() -> serving("assistant-stable").get(0).equals("2.0.0"));
    }

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

    /**
     * Review of h9a, HIGH 1: an edit of the stable Deployment that also drops its template revision looked like an
     * older operator's template, and was kept (scaled only) until the next promotion. The live template is now held to
     * what an operator builds, as a kept one is; one no operator built is rebuilt from the recorded configuration.
     */
    @Test
    void aStableTemplateEditedToLookOlderIsNotKeptWhenNoOperatorBuiltIt() {
        upgradeFromAnOperatorWithAnOlderTemplate(mr -> {});
        await().atMost(Duration.ofSeconds(20))
                .until(() -> templateKept(current().getStatus()).isPresent());

        client.apps()
                .deployments()
                .inNamespace(Releases.NS)
                .withName("assistant-stable")
                .edit(d -> {
                    d.getSpec()
                            .getTemplate()
                            .getSpec()
                            .getContainers()
                            .get(0)
                            .getSecurityContext()
                            .setPrivileged(true);
                    return d;
                });
        edit(mr -> mr.getMetadata().getAnnotations().put("poke", "1"));

        await().atMost(Duration.ofSeconds(20))
                .untilAsserted(() -> assertThat(deployment("assistant-stable")
                                .getSpec()
                                .getTemplate()
                                .getSpec()
                                .getContainers()
                                .get(0)
                                .getSecurityContext()
                                .getPrivileged())
                        .as("rebuilt from the recorded configuration")
                        .isNotEqualTo(Boolean.TRUE));
        assertThat(envNames("assistant-stable")).contains(Releases.OLDER_TEMPLATE_LACKS);
        assertThat(current().getStatus().getStableVersion()).isEqualTo("1.0.0");
    }

    /**
     * Stops the operator, leaves the stable Deployment as an older operator built it (no template revision recorded,
     * one of today's model-server limits missing from its env), applies {@code specChange}, and starts the operator
     * again. Returns the stable pod template as the older operator left it.
     */
    PodTemplateSpec upgradeFromAnOperatorWithAnOlderTemplate(Consumer<ModelRelease> specChange) {
        operator.close();
        Deployment older = Releases.asBuiltByAnOlderOperator(client, "assistant-stable");
        edit(specChange);
        operator = new OperatorUnderTest(client, new ConfiguredGates(Map.of()));
        return older.getSpec().getTemplate();
    }

    static Optional<Condition> templateKept(ModelReleaseStatus s) {
        return s.getConditions() == null
                ? Optional.empty()
                : s.getConditions().stream()
                        .filter(c -> Workloads.STABLE_TEMPLATE_KEPT.equals(c.getType()))
                        .filter(c -> "True".equals(c.getStatus()))
                        .findFirst();
    }

    List<String> envNames(String name) {
        return deployment(name).getSpec().getTemplate().getSpec().getContainers().get(0).getEnv().stream()
                .map(EnvVar::getName)
                .toList();
    }

    /**
     * Stops the operator, leaves the release as an operator from before status.stable and canaryConfigHash left it (no
     * recorded configuration, no hash annotation on the Deployments), applies {@code specChange}, and starts the
     * operator again: its first reconcile sees both.
     */
    void upgradeFromAnOperatorWithoutHashes(Consumer<ModelRelease> specChange) {
        operator.close();
        ModelRelease mr = current();
        mr.getStatus().setStable(null);
        mr.getStatus().setCanaryConfigHash(null);
        client.resources(ModelRelease.class)
                .inNamespace(Releases.NS)
                .resource(mr)
                .updateStatus();
        assertThat(current().getStatus().getStable()).isNull();
        for (String name : List.of("assistant-stable", "assistant-canary")) {
            if (deployment(name) != null) {
                client.apps()
                        .deployments()
                        .inNamespace(Releases.NS)
                        .withName(name)
                        .edit(d -> {
                            d.getMetadata().getAnnotations().remove(DesiredDeployment.CONFIG_HASH);
                            return d;
                        });
            }
        }
        edit(specChange);
        operator = new OperatorUnderTest(client, new ConfiguredGates(Map.of()));
    }

    void markReady(String name) {
        Deployment d = deployment(name);
        int replicas = d.getSpec().getReplicas();
        d.setStatus(new io.fabric8.kubernetes.api.model.apps.DeploymentStatusBuilder()
                .withReplicas(replicas)
                .withReadyReplicas(replicas)
                .withUpdatedReplicas(replicas)
                .withAvailableReplicas(replicas)
                .withObservedGeneration(d.getMetadata().getGeneration())
                .build());
        client.apps().deployments().inNamespace(Releases.NS).resource(d).updateStatus();
    }

    // --- helpers

    /** version label, FLEDGE_MODEL_URI and image of a Deployment's model container. */
    List<String> serving(String name) {
        Deployment d = deployment(name);
        Container c = d.getSpec().getTemplate().getSpec().getContainers().get(0);
        String uri = c.getEnv().stream()
                .filter(e -> "FLEDGE_MODEL_URI".equals(e.getName()))
                .findFirst()
                .orElseThrow()
                .getValue();
        return List.of(d.getSpec().getTemplate().getMetadata().getLabels().get(Labels.VERSION), uri, c.getImage());
    }

    static void setVersion(ModelRelease mr, String version) {
        mr.getSpec().getModel().setVersion(version);
        mr.getSpec().getModel().setUri("file:///models/" + version);
    }

    void edit(Consumer<ModelRelease> change) {
        client.resources(ModelRelease.class)
                .inNamespace(Releases.NS)
                .withName("assistant")
                .edit(mr -> {
                    if (mr.getMetadata().getAnnotations() == null) {
                        mr.getMetadata().setAnnotations(new HashMap<>());
                    }
                    change.accept(mr);
                    return mr;
                });
    }

    ModelRelease current() {
        return client.resources(ModelRelease.class)
                .inNamespace(Releases.NS)
                .withName("assistant")
                .get();
    }

    Deployment deployment(String name) {
        return client.apps()
                .deployments()
                .inNamespace(Releases.NS)
                .withName(name)
                .get();
    }

    ModelReleaseStatus awaitStatus(Predicate<ModelReleaseStatus> p) {
        return Releases.awaitStatus(client, "assistant", Duration.ofSeconds(30), p);
    }
}
