package dev.fledge.operator.workload;

import static org.assertj.core.api.Assertions.assertThat;

import dev.fledge.api.Labels;
import dev.fledge.api.ModelRelease;
import dev.fledge.api.spec.ModelReleaseSpec;
import dev.fledge.api.spec.ModelSpec;
import dev.fledge.api.spec.ServerSpec;
import io.fabric8.kubernetes.api.model.Container;
import io.fabric8.kubernetes.api.model.EnvVar;
import io.fabric8.kubernetes.api.model.ObjectMetaBuilder;
import io.fabric8.kubernetes.api.model.PodTemplateSpecBuilder;
import io.fabric8.kubernetes.api.model.Quantity;
import org.assertj.core.groups.Tuple;
import org.junit.jupiter.api.Test;

class DesiredDeploymentTest {
    final DesiredDeployment builder = new DesiredDeployment(new ServerDefaults("fledge/model-server:0.1.0", 8080));

    @Test
    void theCanaryRunsItsVersionWithTheModelEnvironmentAndOwnerReference() {
        ModelRelease mr = release(new ServerSpec());
        var d = build(mr, "canary", "2.0.0", "s3://m/2.0.0", 3);
        assertThat(d.getMetadata().getName()).isEqualTo("assistant-canary");
        assertThat(d.getMetadata().getOwnerReferences()).singleElement().satisfies(o -> {
            assertThat(o.getUid()).isEqualTo("uid-1");
            assertThat(o.getController()).isTrue();
        });
        assertThat(d.getSpec().getReplicas()).isEqualTo(3);
        assertThat(d.getSpec().getSelector().getMatchLabels()).containsOnlyKeys(Labels.RELEASE, Labels.TRACK);
        assertThat(d.getSpec().getTemplate().getMetadata().getLabels())
                .containsEntry(Labels.VERSION, "2.0.0")
                .containsEntry(Labels.TRACK, "canary");
        Container c = d.getSpec().getTemplate().getSpec().getContainers().get(0);
        assertThat(c.getImage()).isEqualTo("fledge/model-server:0.1.0");
        assertThat(c.getEnv())
                .extracting(EnvVar::getName, EnvVar::getValue)
                .contains(
                        Tuple.tuple("FLEDGE_MODEL_URI", "s3://m/2.0.0"),
                        Tuple.tuple("FLEDGE_MODEL_VERSION", "2.0.0"),
                        Tuple.tuple("FLEDGE_RELEASE", "assistant"));
        assertThat(c.getReadinessProbe().getHttpGet().getPath()).isEqualTo("/q/health/ready");
    }

    @Test
    void everyModelPodWaitsForTheModelBeforeLivenessAndKeepsServingBrieflyAfterItIsToldToStop() {
        var pod = build(release(new ServerSpec()), "stable", "1.0.0", "s3://m/1.0.0", 2)
                .getSpec()
                .getTemplate()
                .getSpec();
        Container c = pod.getContainers().get(0);
        assertThat(c.getStartupProbe().getHttpGet().getPath())
                .as("the startup probe asks the readiness endpoint: up once the model is loaded and warm")
                .isEqualTo("/q/health/ready");
        assertThat(c.getStartupProbe().getPeriodSeconds() * c.getStartupProbe().getFailureThreshold())
                .as("seconds a first start may take before the liveness probe may kill it")
                .isGreaterThanOrEqualTo(300);
        long preStop = c.getLifecycle().getPreStop().getSleep().getSeconds();
        assertThat(preStop).as("preStop sleep, seconds").isBetween(3L, 15L);
        assertThat(pod.getTerminationGracePeriodSeconds())
                .as("the grace period covers the preStop sleep and in-flight requests after it")
                .isGreaterThanOrEqualTo(preStop + 20);
    }

    /** Issue 15, defect of finding 11: the model server's download caps are the operator's, whatever the env says. */
    @Test
    void theOperatorsModelServerLimitsWinOverTheTenantsEnv() {
        var template = new PodTemplateSpecBuilder()
                .withNewSpec()
                .addNewContainer()
                .withName("model-server")
                .addNewEnv()
                .withName("FLEDGE_MODEL_MAX_DOWNLOAD_SIZE")
                .withValue("1T")
                .endEnv()
                .addNewEnv()
                .withName("FLEDGE_MODEL_MAX_COMPRESSION_RATIO")
                .withValue("100000")
                .endEnv()
                .addNewEnv()
                .withName("FLEDGE_MODEL_DOWNLOAD_TIMEOUT")
                .withValue("1000h")
                .endEnv()
                .addNewEnv()
                .withName("JAVA_TOOL_OPTIONS")
                .withValue("-Dfledge.model.max-extracted-size=1T")
                .endEnv()
                .addNewEnv()
                .withName("FLEDGE_SERVING_WORKERS")
                .withValue("4")
                .endEnv()
                .endContainer()
                .endSpec()
                .build();
        var env = build(release(new ServerSpec().withTemplate(template)), "canary", "2.0.0", "s3://m/2.0.0", 1)
                .getSpec()
                .getTemplate()
                .getSpec()
                .getContainers()
                .get(0)
                .getEnv();
        assertThat(env)
                .extracting(EnvVar::getName, EnvVar::getValue)
                .as("the documented defaults, set by the operator; the tenant's values and JVM options dropped")
                .contains(
                        Tuple.tuple("FLEDGE_MODEL_MAX_DOWNLOAD_SIZE", "20G"),
                        Tuple.tuple("FLEDGE_MODEL_MAX_EXTRACTED_SIZE", "40G"),
                        Tuple.tuple("FLEDGE_MODEL_MAX_ARCHIVE_ENTRIES", "10000"),
                        Tuple.tuple("FLEDGE_MODEL_MAX_COMPRESSION_RATIO", "100"),
                        Tuple.tuple("FLEDGE_SERVING_WORKERS", "4"))
                .doesNotContain(
                        Tuple.tuple("FLEDGE_MODEL_MAX_DOWNLOAD_SIZE", "1T"),
                        Tuple.tuple("FLEDGE_MODEL_MAX_COMPRESSION_RATIO", "100000"),
                        Tuple.tuple("FLEDGE_MODEL_DOWNLOAD_TIMEOUT", "1000h"));
        assertThat(env).extracting(EnvVar::getName).doesNotContain("JAVA_TOOL_OPTIONS");
        assertThat(env.stream().map(EnvVar::getName).distinct().count())
                .as("each name once")
                .isEqualTo(env.size());
    }

    @Test
    void theOperatorsOwnLimitSettingsReachEveryModelContainer() {
        ModelRelease mr = release(new ServerSpec());
        var serving = new ServingConfig(new ServerDefaults("fledge/model-server:0.1.0", 8080)).of(mr);
        var limited = new DesiredDeployment(
                        new ServerDefaults("fledge/model-server:0.1.0", 8080),
                        PodHardening.standard(),
                        new ModelServerLimits("5G", "8G", 500, 20))
                .build(mr, "stable", serving, 1);
        assertThat(limited.getSpec()
                        .getTemplate()
                        .getSpec()
                        .getContainers()
                        .get(0)
                        .getEnv())
                .extracting(EnvVar::getName, EnvVar::getValue)
                .contains(
                        Tuple.tuple("FLEDGE_MODEL_MAX_DOWNLOAD_SIZE", "5G"),
                        Tuple.tuple("FLEDGE_MODEL_MAX_EXTRACTED_SIZE", "8G"),
                        Tuple.tuple("FLEDGE_MODEL_MAX_ARCHIVE_ENTRIES", "500"),
                        Tuple.tuple("FLEDGE_MODEL_MAX_COMPRESSION_RATIO", "20"));
    }

    @Test
    void theUsersPodTemplateIsKeptUnderFledgesSettings() {
        var template = new PodTemplateSpecBuilder()
                .withNewSpec()
                .addToNodeSelector("gpu", "a100")
                .addNewContainer()
                .withName("model-server")
                .withImage("ignored")
                .withNewResources()
                .addToLimits("memory", new Quantity("4Gi"))
                .endResources()
                .addNewEnv()
                .withName("EXTRA")
                .withValue("1")
                .endEnv()
                .addNewEnv()
                .withName("FLEDGE_MODEL_VERSION")
                .withValue("spoofed")
                .endEnv()
                .endContainer()
                .addNewContainer()
                .withName("sidecar")
                .withImage("proxy")
                .endContainer()
                .endSpec()
                .build();
        var d = build(
                release(new ServerSpec().withImage("my/server:1").withTemplate(template)),
                "stable",
                "1.0.0",
                "s3://m/1",
                2);
        var spec = d.getSpec().getTemplate().getSpec();
        assertThat(spec.getNodeSelector()).containsEntry("gpu", "a100");
        assertThat(spec.getContainers()).extracting(Container::getName).containsExactly("model-server");
        Container c = spec.getContainers().get(0);
        assertThat(c.getImage()).isEqualTo("my/server:1");
        assertThat(c.getResources().getLimits()).containsKey("memory");
        assertThat(c.getEnv()).extracting(EnvVar::getName).contains("EXTRA");
        assertThat(c.getEnv())
                .filteredOn(e -> e.getName().equals("FLEDGE_MODEL_VERSION"))
                .singleElement()
                .extracting(EnvVar::getValue)
                .isEqualTo("1.0.0");
    }

    @Test
    void modelPodsAreRestrictedWhateverTheTemplateSays() {
        var template = new PodTemplateSpecBuilder()
                .withNewSpec()
                .withServiceAccountName("admin")
                .withHostNetwork(true)
                .withAutomountServiceAccountToken(true)
                .addNewVolume()
                .withName("root")
                .withNewHostPath("/", null)
                .endVolume()
                .withNewSecurityContext()
                .withRunAsUser(0L)
                .endSecurityContext()
                .addNewContainer()
                .withName("model-server")
                .withCommand("sh")
                .withNewSecurityContext()
                .withPrivileged(true)
                .endSecurityContext()
                .endContainer()
                .endSpec()
                .build();
        var spec = build(release(new ServerSpec().withTemplate(template)), "canary", "2.0.0", "s3://m/2", 1)
                .getSpec()
                .getTemplate()
                .getSpec();
        assertThat(spec.getServiceAccountName()).isNull();
        assertThat(spec.getHostNetwork()).isNull();
        assertThat(spec.getAutomountServiceAccountToken()).isFalse();
        assertThat(spec.getVolumes()).extracting(v -> v.getHostPath()).containsOnlyNulls();
        assertThat(spec.getSecurityContext().getRunAsNonRoot()).isTrue();
        assertThat(spec.getSecurityContext().getRunAsUser()).isEqualTo(PodHardening.DEFAULT_USER);
        assertThat(spec.getSecurityContext().getSeccompProfile().getType()).isEqualTo("RuntimeDefault");
        Container c = spec.getContainers().get(0);
        assertThat(c.getCommand()).isEmpty();
        assertThat(c.getSecurityContext().getPrivileged()).isFalse();
        assertThat(c.getSecurityContext().getAllowPrivilegeEscalation()).isFalse();
        assertThat(c.getSecurityContext().getCapabilities().getDrop()).containsExactly("ALL");
    }

    /** The Deployment of {@code mr}'s serving configuration with this version and URI. */
    @Test
    void bothTracksMountTheReleasesFeedbackKeyReadOnlyAndTheServerIsToldWhereAndATemplateCannotReplaceIt() {
        var template = new PodTemplateSpecBuilder()
                .withNewSpec()
                .addNewVolume()
                .withName("fledge-feedback-key")
                .withNewSecret()
                .withSecretName("my-own-key")
                .endSecret()
                .endVolume()
                .addNewContainer()
                .withName("model-server")
                .addNewVolumeMount()
                .withName("fledge-feedback-key")
                .withMountPath("/elsewhere")
                .endVolumeMount()
                .endContainer()
                .endSpec()
                .build();
        for (String track : new String[] {"stable", "canary"}) {
            var pod = build(release(new ServerSpec().withTemplate(template)), track, "1.0.0", "s3://m/1.0.0", 2)
                    .getSpec()
                    .getTemplate()
                    .getSpec();
            assertThat(pod.getVolumes()).singleElement().satisfies(v -> {
                assertThat(v.getSecret().getSecretName()).isEqualTo("assistant-feedback-key");
                assertThat(v.getSecret().getOptional()).isFalse();
            });
            Container c = pod.getContainers().get(0);
            assertThat(c.getVolumeMounts()).singleElement().satisfies(m -> {
                assertThat(m.getReadOnly()).isTrue();
                assertThat(c.getEnv())
                        .extracting(EnvVar::getName, EnvVar::getValue)
                        .contains(Tuple.tuple("FLEDGE_FEEDBACK_SIGNING_KEY_FILE", m.getMountPath() + "/key"));
            });
        }
    }

    io.fabric8.kubernetes.api.model.apps.Deployment build(
            ModelRelease mr, String track, String version, String uri, int replicas) {
        var serving = new ServingConfig(new ServerDefaults("fledge/model-server:0.1.0", 8080)).of(mr);
        return builder.build(mr, track, ServingConfig.withVersion(serving, version, uri), replicas);
    }

    static ModelRelease release(ServerSpec server) {
        ModelRelease mr = new ModelRelease();
        mr.setMetadata(new ObjectMetaBuilder()
                .withName("assistant")
                .withNamespace("ml")
                .withUid("uid-1")
                .build());
        mr.setSpec(new ModelReleaseSpec()
                .withModel(new ModelSpec()
                        .withName("assistant")
                        .withVersion("2.0.0")
                        .withUri("s3://m/2.0.0"))
                .withServer(server));
        return mr;
    }
}
