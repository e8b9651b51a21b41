package dev.fledge.operator.mock;

import static org.assertj.core.api.Assertions.assertThat;

import dev.fledge.api.ModelRelease;
import dev.fledge.api.status.ModelReleaseStatus;
import dev.fledge.api.status.Phase;
import dev.fledge.operator.gates.ConfiguredGates;
import dev.fledge.testsupport.DeploymentReadiness;
import dev.fledge.testsupport.MockCluster;
import io.fabric8.kubernetes.api.model.Container;
import io.fabric8.kubernetes.api.model.EnvVar;
import io.fabric8.kubernetes.api.model.NamespaceBuilder;
import io.fabric8.kubernetes.api.model.Secret;
import io.fabric8.kubernetes.api.model.Volume;
import io.fabric8.kubernetes.api.model.VolumeMount;
import io.fabric8.kubernetes.api.model.apps.Deployment;
import io.fabric8.kubernetes.client.KubernetesClient;
import java.time.Duration;
import java.util.Base64;
import java.util.List;
import java.util.Map;
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
        client.namespaces()
                .resource(new NamespaceBuilder()
                        .withNewMetadata()
                        .withName(Releases.NS)
                        .endMetadata()
                        .build())
                .create();
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
        client.resources(ModelRelease.class)
                .inNamespace(Releases.NS)
                .withName("assistant")
                .edit(mr -> {
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
