package dev.fledge.operator.mock;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import dev.fledge.api.ModelRelease;
import dev.fledge.api.spec.ServerSpec;
import dev.fledge.api.status.ModelReleaseStatus;
import dev.fledge.api.status.Phase;
import dev.fledge.operator.gates.ConfiguredGates;
import dev.fledge.operator.workload.DesiredDeployment;
import dev.fledge.testsupport.DeploymentReadiness;
import dev.fledge.testsupport.MockCluster;
import dev.fledge.testsupport.UserEdits;
import io.fabric8.kubernetes.api.model.Container;
import io.fabric8.kubernetes.api.model.EnvVar;
import io.fabric8.kubernetes.api.model.PodTemplateSpec;
import io.fabric8.kubernetes.api.model.Secret;
import io.fabric8.kubernetes.api.model.Volume;
import io.fabric8.kubernetes.api.model.VolumeMount;
import io.fabric8.kubernetes.api.model.apps.Deployment;
import io.fabric8.kubernetes.client.KubernetesClient;
import java.time.Duration;
import java.util.Base64;
import java.util.List;
import java.util.Map;
import java.util.function.Consumer;
import java.util.function.Predicate;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

/**
 * Every model pod of a release, stable and canary, signs response ids with one key: the Secret
 * {@code <release>-feedback-key}, made once by the operator and never changed by its later reconciles or a restart.
 */
class FeedbackKeyOnMockApiServerTest {
    static final String SECRET = "assistant-feedback-key";

    MockCluster cluster;
    KubernetesClient client;
    DeploymentReadiness kubelet;
    OperatorUnderTest operator;

    @BeforeEach
    void start() throws Exception {
        cluster = new MockCluster();
        client = cluster.client();
        Releases.createNamespace(client);
        kubelet = new DeploymentReadiness(client);
        operator = new OperatorUnderTest(client, new ConfiguredGates(Map.of()));
    }

    @AfterEach
    void stop() {
        operator.close();
        kubelet.close();
        cluster.close();
    }

    @Test
    void bothTracksMountTheReleasesOneKeyWhichNoLaterReconcileNorRestartChanges() {
        client.resource(Releases.replicas("assistant", "1.0.0")).create();
        awaitStatus(s -> s.getPhase() == Phase.PROMOTED && "1.0.0".equals(s.getStableVersion()));
        Secret first = secret();
        ModelRelease mr = current();
        assertThat(first.getImmutable()).isTrue();
        assertThat(first.getMetadata().getOwnerReferences())
                .singleElement()
                .satisfies(
                        o -> assertThat(o.getUid()).isEqualTo(mr.getMetadata().getUid()));
        assertThat(Base64.getDecoder().decode(first.getData().get("key"))).hasSizeGreaterThanOrEqualTo(32);
        assertThat(keyFileOf(deployment("assistant-stable"))).isNotNull();

        // a rollout: the canary runs beside stable, both with the same Secret, which stays as it was
        edit("2.0.0");
        awaitStatus(s -> "internal".equals(s.getStage()));
        assertThat(keyFileOf(deployment("assistant-canary"))).isEqualTo(keyFileOf(deployment("assistant-stable")));
        assertUnchanged(first);

        // a restarted operator (nothing remembered) makes no new key
        operator.close();
        operator = new OperatorUnderTest(client, new ConfiguredGates(Map.of()));
        edit("3.0.0");
        awaitStatus(s -> s.getPhase() == Phase.PROMOTED && "3.0.0".equals(s.getStableVersion()));
        assertThat(keyFileOf(deployment("assistant-stable"))).isNotNull();
        assertUnchanged(first);
    }

    @Test
    void twoReleasesGetTwoDifferentKeys() {
        client.resource(Releases.replicas("assistant", "1.0.0")).create();
        client.resource(Releases.replicas("summarizer", "1.0.0")).create();
        awaitStatus(s -> s.getPhase() == Phase.PROMOTED);
        Releases.awaitStatus(client, "summarizer", Duration.ofSeconds(30), s -> s.getPhase() == Phase.PROMOTED);

        Secret other = client.secrets()
                .inNamespace(Releases.NS)
                .withName("summarizer-feedback-key")
                .get();
        assertThat(other.getData().get("key")).isNotEqualTo(secret().getData().get("key"));
        assertThat(keyFileOf(deployment("summarizer-stable")))
                .as("each release's pods mount their own release's key")
                .isNotNull();
    }

    /**
     * The operator before response-id keys (template revision 1) built stable without the key. The upgraded operator
     * does not roll that stable to the template with the key (it would be a template no canary ran): stable keeps it
     * and gets replicas only; the key reaches stable at the next promotion, after the canary ran with it.
     */
    @Test
    void anUpgradeFromTheOperatorBeforeKeysLeavesStableWithoutTheKeyUntilItsNextPromotion() {
        client.resource(Releases.replicas("assistant", "1.0.0")).create();
        awaitStatus(s -> s.getPhase() == Phase.PROMOTED && "1.0.0".equals(s.getStableVersion()));
        PodTemplateSpec older = upgradeFrom(
                d -> {
                    String revision = d.getMetadata().getAnnotations().get(DesiredDeployment.TEMPLATE_REVISION);
                    d.getMetadata()
                            .getAnnotations()
                            .put(DesiredDeployment.TEMPLATE_REVISION, "1" + revision.substring(revision.indexOf('-')));
                },
                mr -> mr.getSpec().setServer(new ServerSpec().withReplicas(3)));

        await().atMost(Duration.ofSeconds(20))
                .until(() -> deployment("assistant-stable").getSpec().getReplicas() == 3);
        await().during(Duration.ofSeconds(2))
                .atMost(Duration.ofSeconds(10))
                .untilAsserted(() -> assertThat(
                                deployment("assistant-stable").getSpec().getTemplate())
                        .as("the template the older operator built, without the key")
                        .isEqualTo(older));
        await().atMost(Duration.ofSeconds(20))
                .until(() -> StableServingOnMockApiServerTest.templateKept(
                                current().getStatus())
                        .isPresent());
        assertThat(current().getStatus().getCanaryVersion()).isNull();

        edit("2.0.0");
        awaitStatus(s -> "internal".equals(s.getStage()));
        assertThat(keyFileOf(deployment("assistant-canary")))
                .as("the canary runs with the key")
                .isNotNull();
        assertThat(deployment("assistant-stable").getSpec().getTemplate()).isEqualTo(older);
        awaitStatus(s -> s.getPhase() == Phase.PROMOTED && "2.0.0".equals(s.getStableVersion()));
        await().atMost(Duration.ofSeconds(20))
                .untilAsserted(() -> assertThat(keyFileOf(deployment("assistant-stable")))
                        .isEqualTo(keyFileOf(deployment("assistant-canary"))));
    }

    /**
     * An operator older still (no status.stable, no config-hash annotation, no key) met by this one: the key is the
     * operator's, not part of what the release configures, so stable is read as running the spec's configuration (not
     * one of its own read from the template) and an unchanged spec starts no rollout.
     */
    @Test
    void anUnchangedSpecMetByAnUpgradedOperatorWhoseStableHasNoKeyStartsNoRollout() {
        client.resource(Releases.replicas("assistant", "1.0.0")).create();
        awaitStatus(s -> s.getPhase() == Phase.PROMOTED && "1.0.0".equals(s.getStableVersion()));
        operator.close();
        ModelRelease mr = current();
        mr.getStatus().setStable(null);
        mr.getStatus().setCanaryConfigHash(null);
        client.resources(ModelRelease.class)
                .inNamespace(Releases.NS)
                .resource(mr)
                .updateStatus();
        upgradeFrom(
                d -> {
                    d.getMetadata().getAnnotations().remove(DesiredDeployment.TEMPLATE_REVISION);
                    d.getMetadata().getAnnotations().remove(DesiredDeployment.CONFIG_HASH);
                },
                spec -> {});

        await().during(Duration.ofSeconds(3)).atMost(Duration.ofSeconds(30)).until(() -> {
            ModelReleaseStatus s = current().getStatus();
            return s.getPhase() == Phase.PROMOTED && s.getCanaryVersion() == null;
        });
        ModelReleaseStatus s = current().getStatus();
        assertThat(s.getStableVersion()).isEqualTo("1.0.0");
        if (s.getStable() != null) {
            assertThat(s.getStable().getTemplate())
                    .as("recorded as the spec's configuration, not a template read from the Deployment")
                    .isNull();
        }
    }

    /**
     * Stops the operator, takes the key (its env variable, volume and mount) out of the stable Deployment as an
     * operator before response-id keys built it, applies {@code olderMeta} to it and {@code specChange} to the release,
     * and starts the operator again. Returns the stable pod template as the older operator left it.
     */
    PodTemplateSpec upgradeFrom(Consumer<Deployment> olderMeta, Consumer<ModelRelease> specChange) {
        operator.close();
        Deployment older = client.apps()
                .deployments()
                .inNamespace(Releases.NS)
                .withName("assistant-stable")
                .edit(d -> {
                    var pod = d.getSpec().getTemplate().getSpec();
                    pod.getVolumes().removeIf(v -> v.getName().equals("fledge-feedback-key"));
                    Container c = pod.getContainers().get(0);
                    c.getVolumeMounts().removeIf(m -> m.getName().equals("fledge-feedback-key"));
                    c.getEnv().removeIf(e -> e.getName().equals("FLEDGE_FEEDBACK_SIGNING_KEY_FILE"));
                    olderMeta.accept(d);
                    return d;
                });
        assertThat(keyFileOf(older)).isNull();
        client.resources(ModelRelease.class)
                .inNamespace(Releases.NS)
                .withName("assistant")
                .edit(mr -> {
                    specChange.accept(mr);
                    return mr;
                });
        operator = new OperatorUnderTest(client, new ConfiguredGates(Map.of()));
        return older.getSpec().getTemplate();
    }

    void assertUnchanged(Secret first) {
        Secret now = secret();
        assertThat(now.getMetadata().getUid()).isEqualTo(first.getMetadata().getUid());
        assertThat(now.getMetadata().getResourceVersion())
                .isEqualTo(first.getMetadata().getResourceVersion());
        assertThat(now.getData()).isEqualTo(first.getData());
    }

    /**
     * The path FLEDGE_FEEDBACK_SIGNING_KEY_FILE names, when it is the key of the release's Secret mounted read-only
     * into the model container; null otherwise.
     */
    static String keyFileOf(Deployment d) {
        String release = d.getMetadata().getLabels().get(dev.fledge.api.Labels.RELEASE);
        Container c = d.getSpec().getTemplate().getSpec().getContainers().get(0);
        String file = c.getEnv().stream()
                .filter(e -> "FLEDGE_FEEDBACK_SIGNING_KEY_FILE".equals(e.getName()))
                .map(EnvVar::getValue)
                .findFirst()
                .orElse(null);
        List<Volume> volumes = d.getSpec().getTemplate().getSpec().getVolumes();
        for (VolumeMount m : c.getVolumeMounts()) {
            boolean isKey = volumes.stream()
                    .anyMatch(v -> v.getName().equals(m.getName())
                            && v.getSecret() != null
                            && (release + "-feedback-key").equals(v.getSecret().getSecretName()));
            if (isKey && Boolean.TRUE.equals(m.getReadOnly()) && (m.getMountPath() + "/key").equals(file)) {
                return release + ":" + file;
            }
        }
        return null;
    }

    Secret secret() {
        Secret s = client.secrets().inNamespace(Releases.NS).withName(SECRET).get();
        assertThat(s).as(SECRET).isNotNull();
        return s;
    }

    void edit(String version) {
        // the operator writes status meanwhile: a 409 is read again and retried, as a user's apply would
        UserEdits.edit(
                client.resources(ModelRelease.class).inNamespace(Releases.NS).withName("assistant"), mr -> {
                    StableServingOnMockApiServerTest.setVersion(mr, version);
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
