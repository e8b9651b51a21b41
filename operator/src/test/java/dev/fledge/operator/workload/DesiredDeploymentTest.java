package dev.fledge.operator.workload;

import static org.assertj.core.api.Assertions.assertThat;

import dev.fledge.api.Labels;
import dev.fledge.api.ModelRelease;
import dev.fledge.api.spec.ModelReleaseSpec;
import dev.fledge.api.spec.ModelSpec;
import dev.fledge.api.spec.ServerSpec;
import dev.fledge.api.spec.UpstreamSpec;
import io.fabric8.kubernetes.api.model.Container;
import io.fabric8.kubernetes.api.model.EnvVar;
import io.fabric8.kubernetes.api.model.EnvVarBuilder;
import io.fabric8.kubernetes.api.model.ObjectMetaBuilder;
import io.fabric8.kubernetes.api.model.PodTemplateSpec;
import io.fabric8.kubernetes.api.model.PodTemplateSpecBuilder;
import io.fabric8.kubernetes.api.model.Quantity;
import io.fabric8.kubernetes.api.model.Volume;
import io.fabric8.kubernetes.api.model.VolumeBuilder;
import io.fabric8.kubernetes.api.model.VolumeMount;
import io.fabric8.kubernetes.api.model.VolumeMountBuilder;
import java.util.List;
import java.util.Map;
import java.util.Optional;
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

    /**
     * Review of issue 15: the public Service targets {@code http-public} from template revision 3 on; an image that
     * does not serve it (a pinned older model server) was Ready on {@code http} and the public Service failed every
     * connection. The readiness probe asks the public port, so such a pod is never Ready; the other probes stay on
     * the main port, so the pod is not restarted for it.
     */
    @Test
    void aPodIsReadyOnlyWhenThePortThePublicServiceTargetsAnswers() {
        Container c = build(release(new ServerSpec()), "stable", "1.0.0", "s3://m/1.0.0", 2)
                .getSpec()
                .getTemplate()
                .getSpec()
                .getContainers()
                .get(0);
        assertThat(c.getReadinessProbe().getHttpGet().getPort().getStrVal()).isEqualTo(ServerDefaults.PUBLIC_PORT);
        assertThat(c.getReadinessProbe().getHttpGet().getPath()).isEqualTo("/q/health/ready");
        assertThat(c.getPorts()).extracting(p -> p.getName()).contains(ServerDefaults.PUBLIC_PORT, ServerDefaults.PORT);
        assertThat(List.of(c.getStartupProbe(), c.getLivenessProbe()))
                .allSatisfy(
                        p -> assertThat(p.getHttpGet().getPort().getStrVal()).isEqualTo(ServerDefaults.PORT));
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

    /** Issue 15 review: other spellings of the caps, config-file locations, LD_PRELOAD and mounts over the code. */
    @Test
    void noSpellingOfAServerSettingNorAMountOverTheImagesCodeReachesTheModelContainer() {
        var template = new PodTemplateSpecBuilder()
                .withNewSpec()
                .addNewVolume()
                .withName("evil")
                .withNewConfigMap()
                .withName("evil")
                .endConfigMap()
                .endVolume()
                .addNewVolume()
                .withName("scratch")
                .withNewEmptyDir()
                .endEmptyDir()
                .endVolume()
                .addNewVolume()
                .withName("claim")
                .withNewPersistentVolumeClaim()
                .withClaimName("weights")
                .endPersistentVolumeClaim()
                .endVolume()
                .addNewContainer()
                .withName("model-server")
                .addNewEnv()
                .withName("fledge.model.max-download-size")
                .withValue("1T")
                .endEnv()
                .addNewEnv()
                .withName("fledge_model_max_extracted_size")
                .withValue("1T")
                .endEnv()
                .addNewEnv()
                .withName("QUARKUS_CONFIG_LOCATIONS")
                .withValue("/data/evil.properties")
                .endEnv()
                .addNewEnv()
                .withName("smallrye.config.locations")
                .withValue("/data/evil.properties")
                .endEnv()
                .addNewEnv()
                .withName("LD_PRELOAD")
                .withValue("/data/evil.so")
                .endEnv()
                .addNewEnv()
                .withName("fledge.serving.workers")
                .withValue("4")
                .endEnv()
                .addNewVolumeMount()
                .withName("evil")
                .withMountPath("/deployments/quarkus-run.jar")
                .withSubPath("evil.jar")
                .endVolumeMount()
                .addNewVolumeMount()
                .withName("evil")
                .withMountPath("/deployments/config")
                .endVolumeMount()
                .addNewVolumeMount()
                .withName("evil")
                .withMountPath("/tmp")
                .endVolumeMount()
                .addNewVolumeMount()
                .withName("scratch")
                .withMountPath("/tmp")
                .endVolumeMount()
                .addNewVolumeMount()
                .withName("evil")
                .withMountPath("/data")
                .endVolumeMount()
                .addNewVolumeMount()
                .withName("claim")
                .withMountPath("/weights")
                .endVolumeMount()
                // below the claim's mount: a symlink there in the claim could send it over the image's code
                .addNewVolumeMount()
                .withName("claim")
                .withMountPath("/weights/lt")
                .withSubPath("payload")
                .endVolumeMount()
                .endContainer()
                .endSpec()
                .build();
        Container server = build(release(new ServerSpec().withTemplate(template)), "canary", "2.0.0", "s3://m/2.0.0", 1)
                .getSpec()
                .getTemplate()
                .getSpec()
                .getContainers()
                .get(0);
        assertThat(server.getEnv())
                .extracting(EnvVar::getName)
                .doesNotContain(
                        "fledge.model.max-download-size",
                        "fledge_model_max_extracted_size",
                        "QUARKUS_CONFIG_LOCATIONS",
                        "smallrye.config.locations",
                        "LD_PRELOAD")
                .contains("fledge.serving.workers");
        assertThat(server.getVolumeMounts())
                .extracting(m -> m.getName() + ":" + m.getMountPath())
                .containsExactly(
                        "scratch:/tmp",
                        "evil:/data",
                        "claim:/weights",
                        "fledge-feedback-key:" + DesiredDeployment.FEEDBACK_KEY_DIR);
    }

    /**
     * Review of issue 15, MED 3: the public Service reaches the pods' public port, where the server forces the audience
     * {@code public}. A release that could move that port onto the main one would reopen the finding: its own
     * {@code FLEDGE_PUBLIC_PORT} in any spelling never reaches the container, the operator's is the next port.
     */
    @Test
    void theModelContainerHasAPublicPortBesideItsOwnThatTheReleaseCannotMove() {
        var template = new PodTemplateSpecBuilder()
                .withNewSpec()
                .addNewContainer()
                .withName("model-server")
                .addNewEnv()
                .withName("FLEDGE_PUBLIC_PORT")
                .withValue("9000")
                .endEnv()
                .addNewEnv()
                .withName("fledge.public-port")
                .withValue("9000")
                .endEnv()
                .endContainer()
                .endSpec()
                .build();
        Container server = build(
                        release(new ServerSpec().withPort(9000).withTemplate(template)),
                        "canary",
                        "2.0.0",
                        "s3://m/2.0.0",
                        1)
                .getSpec()
                .getTemplate()
                .getSpec()
                .getContainers()
                .get(0);
        assertThat(server.getPorts())
                .extracting(p -> p.getName() + ":" + p.getContainerPort())
                .containsExactly("http:9000", "http-public:9001");
        assertThat(server.getEnv())
                .filteredOn(e -> e.getName().toLowerCase(java.util.Locale.ROOT).contains("public"))
                .extracting(e -> e.getName() + "=" + e.getValue())
                .containsExactly("FLEDGE_PUBLIC_PORT=9001");
    }

    /** Late review of issue 15: a SmallRye profile prefix ({@code _PROD_}, {@code %prod.}) hid a server setting. */
    @Test
    void noProfilePrefixedSettingReachesTheModelContainer() {
        var names = List.of(
                "_PROD_FLEDGE_MODEL_MAX_DOWNLOAD_SIZE",
                "_PROD_QUARKUS_CONFIG_LOCATIONS",
                "_DEV_TEST_QUARKUS_CONFIG_LOCATIONS",
                "%prod.fledge.model.max-extracted-size",
                "%prod,dev.smallrye.config.locations");
        assertThat(modelServerEnv(names)).extracting(EnvVar::getName).doesNotContainAnyElementsOf(names);
    }

    /** Late review of issue 15: DJL's engine location, PATH and HOME could load a tenant's library or program. */
    @Test
    void noVariableThatChoosesNativeCodeOrProgramsReachesTheModelContainer() {
        var names = List.of(
                "DJL_CACHE_DIR",
                "ENGINE_CACHE_DIR",
                "PYTORCH_LIBRARY_PATH",
                "PYTORCH_VERSION",
                "LIBSTDCXX_LIBRARY_PATH",
                "ai.djl.pytorch.native_helper",
                "PATH",
                "HOME",
                "AWS_CONFIG_FILE");
        // the template's values never reach it; the operator's own cache and home (in the /tmp emptyDir) do
        assertThat(modelServerEnv(names))
                .filteredOn(e -> names.contains(e.getName()))
                .extracting(EnvVar::getName, EnvVar::getValue)
                .containsExactly(
                        Tuple.tuple("HOME", "/tmp"),
                        Tuple.tuple("DJL_CACHE_DIR", "/tmp/djl-cache"),
                        Tuple.tuple("ENGINE_CACHE_DIR", "/tmp/djl-cache"));
        assertThat(modelServerEnv(List.of("HF_HOME", "OMP_NUM_THREADS")))
                .extracting(EnvVar::getName)
                .contains("HF_HOME", "OMP_NUM_THREADS");
    }

    /** Late review of issue 15: a private CA for downloads reaches the model server (/etc is refused). */
    @Test
    void aPrivateCaForModelDownloadsReachesTheModelServer() {
        var template = new PodTemplateSpecBuilder()
                .withNewSpec()
                .addNewVolume()
                .withName("ca")
                .withNewConfigMap()
                .withName("registry-ca")
                .endConfigMap()
                .endVolume()
                .addNewContainer()
                .withName("model-server")
                .addNewEnv()
                .withName("FLEDGE_MODEL_CA_FILE")
                .withValue("/certs/ca.crt")
                .endEnv()
                .addNewVolumeMount()
                .withName("ca")
                .withMountPath("/certs")
                .withReadOnly(true)
                .endVolumeMount()
                .endContainer()
                .endSpec()
                .build();
        Container server = build(release(new ServerSpec().withTemplate(template)), "canary", "2.0.0", "s3://m/2.0.0", 1)
                .getSpec()
                .getTemplate()
                .getSpec()
                .getContainers()
                .get(0);
        assertThat(server.getEnv())
                .extracting(EnvVar::getName, EnvVar::getValue)
                .contains(Tuple.tuple("FLEDGE_MODEL_CA_FILE", "/certs/ca.crt"));
        assertThat(server.getVolumeMounts())
                .extracting(m -> m.getName() + ":" + m.getMountPath())
                .containsExactly(
                        "ca:/certs", "fledge-tmp:/tmp", "fledge-feedback-key:" + DesiredDeployment.FEEDBACK_KEY_DIR);
    }

    /**
     * Issue 16: the model container's root filesystem is read-only, and its one writable directory is {@code /tmp}
     * (the DJL cache, downloads): the operator's emptyDir there, or the template's own emptyDir at {@code /tmp}, never
     * a template volume that takes the operator's name.
     */
    @Test
    void theModelContainerRunsOnAReadOnlyRootWithAnEmptyDirAtTmp() {
        var pod = build(release(new ServerSpec()), "canary", "1.0.0", "s3://m/1.0.0", 1)
                .getSpec()
                .getTemplate()
                .getSpec();
        Container c = pod.getContainers().get(0);
        assertThat(c.getSecurityContext().getReadOnlyRootFilesystem()).isTrue();
        // whatever the image sets, the server's caches and home are in the emptyDir
        assertThat(c.getEnv())
                .extracting(EnvVar::getName, EnvVar::getValue)
                .contains(
                        Tuple.tuple("HOME", "/tmp"),
                        Tuple.tuple("DJL_CACHE_DIR", "/tmp/djl-cache"),
                        Tuple.tuple("ENGINE_CACHE_DIR", "/tmp/djl-cache"));
        assertThat(c.getVolumeMounts())
                .filteredOn(m -> "/tmp".equals(m.getMountPath()))
                .singleElement()
                .satisfies(m -> {
                    assertThat(m.getReadOnly()).isNotEqualTo(Boolean.TRUE);
                    assertThat(pod.getVolumes())
                            .filteredOn(v -> v.getName().equals(m.getName()))
                            .singleElement()
                            .satisfies(v -> assertThat(v.getEmptyDir()).isNotNull());
                });

        // the template's own emptyDir at /tmp (a sizeLimit, say) replaces the operator's
        PodTemplateSpec own = new PodTemplateSpecBuilder()
                .withNewSpec()
                .addNewVolume()
                .withName("scratch")
                .withNewEmptyDir()
                .withSizeLimit(new Quantity("20Gi"))
                .endEmptyDir()
                .endVolume()
                .addNewContainer()
                .withName("model-server")
                .addNewVolumeMount()
                .withName("scratch")
                .withMountPath("/tmp/")
                .endVolumeMount()
                .endContainer()
                .endSpec()
                .build();
        var withOwn = build(release(new ServerSpec().withTemplate(own)), "canary", "1.0.0", "s3://m/1.0.0", 1)
                .getSpec()
                .getTemplate()
                .getSpec();
        assertThat(withOwn.getVolumes()).extracting(Volume::getName).containsExactly("scratch", "fledge-feedback-key");
        assertThat(withOwn.getContainers().get(0).getVolumeMounts())
                .extracting(VolumeMount::getName)
                .containsExactly("scratch", "fledge-feedback-key");

        // an emptyDir at /tmp that is read-only, or under the key's volume name, is not a writable /tmp: the
        // operator's takes its place
        for (boolean keyName : new boolean[] {false, true}) {
            String name = keyName ? "fledge-feedback-key" : "scratch";
            PodTemplateSpec notWritable = new PodTemplateSpecBuilder()
                    .withNewSpec()
                    .addNewVolume()
                    .withName(name)
                    .withNewEmptyDir()
                    .endEmptyDir()
                    .endVolume()
                    .addNewContainer()
                    .withName("model-server")
                    .addNewVolumeMount()
                    .withName(name)
                    .withMountPath("/tmp")
                    .withReadOnly(!keyName)
                    .endVolumeMount()
                    .endContainer()
                    .endSpec()
                    .build();
            var fixed = build(release(new ServerSpec().withTemplate(notWritable)), "canary", "1.0.0", "s3://m/1.0.0", 1)
                    .getSpec()
                    .getTemplate()
                    .getSpec();
            assertThat(fixed.getContainers().get(0).getVolumeMounts())
                    .as("template volume %s", name)
                    .filteredOn(m -> m.getMountPath().equals("/tmp"))
                    .extracting(VolumeMount::getName)
                    .containsExactly("fledge-tmp");
        }

        // a template volume of the operator's name is dropped with its mount
        PodTemplateSpec squatter = new PodTemplateSpecBuilder()
                .withNewSpec()
                .addNewVolume()
                .withName("fledge-tmp")
                .withNewSecret()
                .withSecretName("mine")
                .endSecret()
                .endVolume()
                .addNewContainer()
                .withName("model-server")
                .addNewVolumeMount()
                .withName("fledge-tmp")
                .withMountPath("/data")
                .endVolumeMount()
                .endContainer()
                .endSpec()
                .build();
        var squatted = build(release(new ServerSpec().withTemplate(squatter)), "canary", "1.0.0", "s3://m/1.0.0", 1)
                .getSpec()
                .getTemplate()
                .getSpec();
        assertThat(squatted.getVolumes())
                .filteredOn(v -> v.getName().equals("fledge-tmp"))
                .singleElement()
                .satisfies(v -> assertThat(v.getSecret()).isNull());
        assertThat(squatted.getContainers().get(0).getVolumeMounts())
                .extracting(m -> m.getName() + ":" + m.getMountPath())
                .containsExactly("fledge-tmp:/tmp", "fledge-feedback-key:" + DesiredDeployment.FEEDBACK_KEY_DIR);
    }

    private List<EnvVar> modelServerEnv(List<String> names) {
        var template = new PodTemplateSpecBuilder()
                .withNewSpec()
                .addNewContainer()
                .withName("model-server")
                .withEnv(names.stream()
                        .map(n ->
                                new EnvVarBuilder().withName(n).withValue("1T").build())
                        .toList())
                .endContainer()
                .endSpec()
                .build();
        return build(release(new ServerSpec().withTemplate(template)), "canary", "2.0.0", "s3://m/2.0.0", 1)
                .getSpec()
                .getTemplate()
                .getSpec()
                .getContainers()
                .get(0)
                .getEnv();
    }

    /**
     * The second line behind the validator's hostPath rule: a node directory the operator allows reaches the pod only
     * read-only, in the Fledge server's container and in another server's, whatever the template says; the release's
     * own spec is left as it is.
     */
    @Test
    void aHostPathReachesEveryContainerReadOnly() {
        var hosted = new DesiredDeployment(
                new ServerDefaults("fledge/model-server:0.1.0", 8080),
                new PodHardening(Optional.of(PodHardening.DEFAULT_USER), List.of("/var/lib/fledge/models")));
        for (ServerSpec server : List.of(new ServerSpec(), vllm(new UpstreamSpec()))) {
            PodTemplateSpec template = server.getTemplate() == null
                    ? new PodTemplateSpecBuilder()
                            .withNewSpec()
                            .addNewContainer()
                            .withName("model-server")
                            .endContainer()
                            .endSpec()
                            .build()
                    : server.getTemplate();
            template.getSpec()
                    .getVolumes()
                    .add(new VolumeBuilder()
                            .withName("node")
                            .withNewHostPath("/var/lib/fledge/models", "Directory")
                            .build());
            template.getSpec()
                    .getContainers()
                    .get(0)
                    .getVolumeMounts()
                    .add(new VolumeMountBuilder()
                            .withName("node")
                            .withMountPath("/node-models")
                            .build());
            ModelRelease mr = release(server.withTemplate(template));
            var serving = new ServingConfig(new ServerDefaults("fledge/model-server:0.1.0", 8080)).of(mr);
            var pod = hosted.build(mr, "canary", ServingConfig.withVersion(serving, "2.0.0", "s3://m/2"), 1)
                    .getSpec()
                    .getTemplate()
                    .getSpec();
            assertThat(pod.getVolumes())
                    .filteredOn(v -> v.getHostPath() != null)
                    .extracting(Volume::getName)
                    .containsExactly("node");
            Container c = pod.getContainers().stream()
                    .filter(x -> x.getName().equals(ServerDefaults.CONTAINER))
                    .findFirst()
                    .orElseThrow();
            assertThat(c.getVolumeMounts())
                    .as(server.getUpstream() == null ? "the Fledge server" : "another server")
                    .filteredOn(m -> m.getName().equals("node"))
                    .singleElement()
                    .satisfies(m -> assertThat(m.getReadOnly()).isTrue());
            assertThat(template.getSpec().getContainers().get(0).getVolumeMounts())
                    .filteredOn(m -> m.getName().equals("node"))
                    .singleElement()
                    .satisfies(m ->
                            assertThat(m.getReadOnly()).as("the release's spec").isNull());
        }
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

    /** Issue 19 item 6: one key per release, the operator's, in both tracks. */
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
                .addNewEnv()
                .withName("FLEDGE_FEEDBACK_SIGNING_KEY_FILE")
                .withValue("/elsewhere/key")
                .endEnv()
                .endContainer()
                .endSpec()
                .build();
        for (String track : new String[] {"stable", "canary"}) {
            var pod = build(release(new ServerSpec().withTemplate(template)), track, "1.0.0", "s3://m/1.0.0", 2)
                    .getSpec()
                    .getTemplate()
                    .getSpec();
            assertThat(pod.getVolumes())
                    .filteredOn(v -> v.getSecret() != null)
                    .singleElement()
                    .satisfies(v -> {
                        assertThat(v.getSecret().getSecretName()).isEqualTo("assistant-feedback-key");
                        assertThat(v.getSecret().getOptional()).isFalse();
                    });
            Container c = pod.getContainers().get(0);
            assertThat(c.getVolumeMounts())
                    .filteredOn(m -> !"/tmp".equals(m.getMountPath()))
                    .singleElement()
                    .satisfies(m -> {
                        assertThat(m.getReadOnly()).isTrue();
                        assertThat(c.getEnv())
                                .filteredOn(e -> e.getName().equals("FLEDGE_FEEDBACK_SIGNING_KEY_FILE"))
                                .as("the template's own key file is dropped")
                                .extracting(EnvVar::getValue)
                                .containsExactly(m.getMountPath() + "/key");
                    });
        }
    }

    /**
     * Issue 17 part 6: a {@code pvc://claim/path} model URI mounts the claim read-only, whole, at
     * {@link ModelClaim#MOUNT_PATH} in the container that loads the model, where the model server reads {@code path};
     * a template volume or mount of the operator's volume name is dropped. Other schemes mount nothing.
     */
    @Test
    void aPvcModelUriMountsItsClaimReadOnlyInTheContainerThatLoadsTheModel() {
        ServerSpec withOwnVolume = new ServerSpec()
                .withTemplate(new PodTemplateSpecBuilder()
                        .withNewSpec()
                        .addNewVolume()
                        .withName(ModelClaim.VOLUME)
                        .withNewConfigMap()
                        .withName("tenant-choice")
                        .endConfigMap()
                        .endVolume()
                        .addNewContainer()
                        .withName("model-server")
                        .addNewVolumeMount()
                        .withName(ModelClaim.VOLUME)
                        .withMountPath("/data")
                        .endVolumeMount()
                        .endContainer()
                        .endSpec()
                        .build());
        var pod = build(release(withOwnVolume), "canary", "2.0.0", "pvc://llama-weights/assistant/2.0.0", 1)
                .getSpec()
                .getTemplate()
                .getSpec();
        assertThat(pod.getVolumes())
                .filteredOn(v -> v.getName().equals(ModelClaim.VOLUME))
                .singleElement()
                .satisfies(v -> {
                    assertThat(v.getConfigMap()).isNull();
                    assertThat(v.getPersistentVolumeClaim().getClaimName()).isEqualTo("llama-weights");
                    assertThat(v.getPersistentVolumeClaim().getReadOnly()).isTrue();
                });
        Container c = pod.getContainers().get(0);
        assertThat(c.getVolumeMounts())
                .filteredOn(m -> m.getName().equals(ModelClaim.VOLUME))
                .extracting(VolumeMount::getMountPath, VolumeMount::getReadOnly)
                .containsExactly(Tuple.tuple(ModelClaim.MOUNT_PATH, true));
        assertThat(c.getEnv())
                .extracting(EnvVar::getName, EnvVar::getValue)
                .contains(Tuple.tuple("FLEDGE_MODEL_URI", "pvc://llama-weights/assistant/2.0.0"));
        assertThat(MountPaths.refusal(ModelClaim.MOUNT_PATH, false))
                .as("no template may mount over the claim's path")
                .isPresent();

        var upstream = build(release(vllm(new UpstreamSpec())), "canary", "2.0.0", "pvc://llama-weights/8b", 1)
                .getSpec()
                .getTemplate()
                .getSpec();
        assertThat(upstream.getContainers())
                .filteredOn(k ->
                        k.getVolumeMounts().stream().anyMatch(m -> m.getName().equals(ModelClaim.VOLUME)))
                .as("the user's server loads the model, not the sidecar")
                .extracting(Container::getName)
                .containsExactly("model-server");

        assertThat(ModelClaim.of("pvc://llama-3.1/8b")).contains(new ModelClaim("llama-3.1"));
        assertThat(ModelClaim.of("pvc://a..b/8b"))
                .as("not a claim name: nothing mounted")
                .isEmpty();
        var s3 = build(release(new ServerSpec()), "canary", "2.0.0", "s3://m/2.0.0", 1)
                .getSpec()
                .getTemplate()
                .getSpec();
        assertThat(s3.getVolumes()).extracting(Volume::getName).doesNotContain(ModelClaim.VOLUME);
    }

    /** A release of another server's image: spec.server.upstream with the template's command, args and GPUs. */
    static ServerSpec vllm(UpstreamSpec upstream) {
        return new ServerSpec()
                .withImage("vllm/vllm-openai:v0.9.1")
                .withUpstream(upstream)
                .withTemplate(new PodTemplateSpecBuilder()
                        .withNewSpec()
                        .addNewVolume()
                        .withName("models")
                        .withNewPersistentVolumeClaim()
                        .withClaimName("llama")
                        .endPersistentVolumeClaim()
                        .endVolume()
                        .addNewContainer()
                        .withName("model-server")
                        .withCommand("vllm")
                        .withArgs("serve", "/models/llama-3-8b", "--port", "8000")
                        .addNewEnv()
                        .withName("HF_HUB_OFFLINE")
                        .withValue("1")
                        .endEnv()
                        .addNewEnv()
                        .withName("FLEDGE_UPSTREAM_URL")
                        .withValue("http://evil.example")
                        .endEnv()
                        .withNewResources()
                        .addToLimits("nvidia.com/gpu", new Quantity("1"))
                        .endResources()
                        .addNewVolumeMount()
                        .withName("models")
                        .withMountPath("/models")
                        .withReadOnly(true)
                        .endVolumeMount()
                        .endContainer()
                        .endSpec()
                        .build());
    }

    /**
     * Issue 17 part 1: with spec.server.upstream the user's server runs as model-server (their image, command, args,
     * GPUs, mounts), hardened as every model container, and the Fledge model server runs beside it in proxy mode as
     * fledge-proxy, holding the whole pod contract: the ports the Services name, the probes, the operator's env and
     * the release's key. So routing, gates, feedback and the guard see the same pod as before.
     */
    @Test
    void anUpstreamServerRunsBehindTheFledgeSidecarWhichServesThePodContract() {
        ModelRelease mr = release(vllm(new UpstreamSpec().withPort(8000).withReadinessPath("/health")));
        var template = build(mr, "canary", "2.0.0", "s3://m/2.0.0", 1).getSpec().getTemplate();
        var pod = template.getSpec();

        assertThat(pod.getContainers()).extracting(Container::getName).containsExactly("model-server", "fledge-proxy");
        Container server = pod.getContainers().get(0);
        Container proxy = pod.getContainers().get(1);
        assertThat(server.getImage()).isEqualTo("vllm/vllm-openai:v0.9.1");
        assertThat(server.getCommand()).containsExactly("vllm");
        assertThat(server.getArgs()).containsExactly("serve", "/models/llama-3-8b", "--port", "8000");
        assertThat(server.getResources().getLimits()).containsEntry("nvidia.com/gpu", new Quantity("1"));
        assertThat(server.getPorts())
                .extracting(p -> p.getName(), p -> p.getContainerPort())
                .containsExactly(Tuple.tuple("upstream", 8000));
        assertThat(server.getEnv())
                .extracting(EnvVar::getName, EnvVar::getValue)
                .containsExactly(Tuple.tuple("HOME", "/tmp"), Tuple.tuple("HF_HUB_OFFLINE", "1"));
        assertThat(server.getReadinessProbe())
                .as("the sidecar's readiness asks the server")
                .isNull();
        assertThat(server.getVolumeMounts())
                .extracting(VolumeMount::getMountPath)
                .containsExactlyInAnyOrder("/models", "/tmp")
                .as("the response-id key is the sidecar's only")
                .doesNotContain("/var/run/fledge/feedback-key");

        assertThat(proxy.getImage()).isEqualTo("fledge/model-server:0.1.0");
        assertThat(proxy.getCommand()).isEmpty();
        assertThat(proxy.getResources().getLimits())
                .as("the GPUs are the server's")
                .doesNotContainKey("nvidia.com/gpu");
        assertThat(proxy.getPorts())
                .extracting(p -> p.getName(), p -> p.getContainerPort())
                .containsExactly(Tuple.tuple("http", 8080), Tuple.tuple("http-public", 8081));
        assertThat(proxy.getReadinessProbe().getHttpGet().getPort().getStrVal()).isEqualTo("http-public");
        assertThat(proxy.getStartupProbe().getHttpGet().getPort().getStrVal()).isEqualTo("http");
        assertThat(proxy.getLivenessProbe().getHttpGet().getPort().getStrVal()).isEqualTo("http");
        assertThat(proxy.getEnv())
                .extracting(EnvVar::getName, EnvVar::getValue)
                .contains(
                        Tuple.tuple("FLEDGE_UPSTREAM_URL", "http://127.0.0.1:8000"),
                        Tuple.tuple("FLEDGE_UPSTREAM_READINESS_PATH", "/health"),
                        Tuple.tuple("FLEDGE_RELEASE", "assistant"),
                        Tuple.tuple("FLEDGE_MODEL_VERSION", "2.0.0"),
                        Tuple.tuple("FLEDGE_PUBLIC_PORT", "8081"),
                        Tuple.tuple("FLEDGE_FEEDBACK_SIGNING_KEY_FILE", DesiredDeployment.FEEDBACK_KEY_FILE))
                .as("the template's env is the server's, never the sidecar's")
                .doesNotContain(Tuple.tuple("HF_HUB_OFFLINE", "1"))
                .doesNotContain(Tuple.tuple("FLEDGE_UPSTREAM_URL", "http://evil.example"));
        assertThat(proxy.getVolumeMounts())
                .extracting(VolumeMount::getName, VolumeMount::getMountPath)
                .containsExactlyInAnyOrder(
                        Tuple.tuple("fledge-proxy-tmp", "/tmp"),
                        Tuple.tuple("fledge-feedback-key", "/var/run/fledge/feedback-key"));

        for (Container c : pod.getContainers()) {
            assertThat(c.getSecurityContext().getReadOnlyRootFilesystem()).isTrue();
            assertThat(c.getSecurityContext().getAllowPrivilegeEscalation()).isFalse();
            assertThat(c.getSecurityContext().getCapabilities().getDrop()).containsExactly("ALL");
            assertThat(c.getLifecycle().getPreStop().getSleep().getSeconds()).isPositive();
        }
        assertThat(pod.getSecurityContext().getRunAsNonRoot()).isTrue();
        assertThat(pod.getVolumes())
                .extracting(Volume::getName)
                .containsExactlyInAnyOrder("models", "fledge-feedback-key", "fledge-tmp", "fledge-proxy-tmp");
        assertThat(template.getMetadata().getAnnotations())
                .containsEntry(DesiredDeployment.UPSTREAM_METRICS_PATH, "/metrics");

        // every Service targets a port by name: each name is the sidecar's, so the public one is the guarded port
        DesiredService services = new DesiredService(new ServerDefaults("fledge/model-server:0.1.0", 8080));
        for (String target : List.of(ServerDefaults.PORT, ServerDefaults.PUBLIC_PORT)) {
            String named = services.build(mr, "assistant", null, target)
                    .getSpec()
                    .getPorts()
                    .get(0)
                    .getTargetPort()
                    .getStrVal();
            assertThat(pod.getContainers())
                    .filteredOn(
                            c -> c.getPorts().stream().anyMatch(p -> p.getName().equals(named)))
                    .extracting(Container::getName)
                    .containsExactly("fledge-proxy");
        }
        assertThat(PublicTarget.namesPublicPort(template))
                .as("the replicas router's public Service may target the sidecar's public port")
                .isTrue();
    }

    /**
     * Security review (upstream), termination: vLLM aborts its requests in flight at SIGTERM, so the server beside the
     * sidecar gets SIGTERM only after the sidecar's preStop and drain (its requests are forwarded to the server), and
     * the pod's grace period covers the server's longer preStop with time left for it to stop.
     */
    @Test
    void theUpstreamServerOutlivesTheSidecarsDrainWithinTheGracePeriod() {
        var pod = build(release(vllm(new UpstreamSpec())), "canary", "2.0.0", "s3://m/2.0.0", 1)
                .getSpec()
                .getTemplate()
                .getSpec();
        long server = pod.getContainers()
                .get(0)
                .getLifecycle()
                .getPreStop()
                .getSleep()
                .getSeconds();
        long sidecar = pod.getContainers()
                .get(1)
                .getLifecycle()
                .getPreStop()
                .getSleep()
                .getSeconds();
        long sidecarDrain = DesiredDeployment.TERMINATION_GRACE_SECONDS - DesiredDeployment.PRE_STOP_SECONDS;

        assertThat(sidecarDrain).isPositive();
        assertThat(server).isGreaterThanOrEqualTo(sidecar + sidecarDrain);
        assertThat(pod.getTerminationGracePeriodSeconds()).isGreaterThan(server);

        var plain = build(release(new ServerSpec()), "canary", "2.0.0", "s3://m/2.0.0", 1)
                .getSpec()
                .getTemplate()
                .getSpec();
        assertThat(plain.getTerminationGracePeriodSeconds())
                .as("a pod without an upstream keeps its grace period")
                .isEqualTo(DesiredDeployment.TERMINATION_GRACE_SECONDS);
    }

    /**
     * Security review (upstream), ResourceQuota: a namespace with a quota on limits refuses a pod whose containers set
     * none, so the sidecar has the operator's requests and limits (defaults, or fledge.server.proxy-*).
     */
    @Test
    void theSidecarHasTheOperatorsRequestsAndLimits() {
        Container byDefault = build(release(vllm(new UpstreamSpec())), "canary", "2.0.0", "s3://m/2.0.0", 1)
                .getSpec()
                .getTemplate()
                .getSpec()
                .getContainers()
                .get(1);
        assertThat(byDefault.getResources().getRequests())
                .containsEntry("cpu", new Quantity("250m"))
                .containsEntry("memory", new Quantity("512Mi"));
        assertThat(byDefault.getResources().getLimits()).containsExactly(Map.entry("memory", new Quantity("1Gi")));

        DesiredDeployment configured = new DesiredDeployment(new ServerDefaults(
                "fledge/model-server:0.1.0",
                8080,
                "fledge/model-server:0.1.0",
                ServerDefaults.proxyResources("100m", "256Mi", "1", "2Gi")));
        ModelRelease mr = release(vllm(new UpstreamSpec()));
        Container sidecar = configured
                .build(mr, "canary", new ServingConfig(new ServerDefaults("fledge/model-server:0.1.0", 8080)).of(mr), 1)
                .getSpec()
                .getTemplate()
                .getSpec()
                .getContainers()
                .get(1);
        assertThat(sidecar.getResources().getRequests())
                .containsEntry("cpu", new Quantity("100m"))
                .containsEntry("memory", new Quantity("256Mi"));
        assertThat(sidecar.getResources().getLimits())
                .containsEntry("cpu", new Quantity("1"))
                .containsEntry("memory", new Quantity("2Gi"));
    }

    @Test
    void theSidecarImageIsTheOperatorsProxyImageUnlessTheReleaseNamesOne() {
        DesiredDeployment withProxy =
                new DesiredDeployment(new ServerDefaults("fledge/model-server:0.1.0", 8080, "fledge/proxy:0.2.0"));
        ServingConfig config =
                new ServingConfig(new ServerDefaults("fledge/model-server:0.1.0", 8080, "fledge/proxy:0.2.0"));

        ModelRelease byDefault = release(vllm(new UpstreamSpec()));
        var serving = config.of(byDefault);
        var pod = withProxy
                .build(byDefault, "canary", serving, 1)
                .getSpec()
                .getTemplate()
                .getSpec();
        assertThat(pod.getContainers().get(1).getImage()).isEqualTo("fledge/proxy:0.2.0");
        assertThat(pod.getContainers().get(0).getPorts().get(0).getContainerPort())
                .as("default upstream port")
                .isEqualTo(8000);
        assertThat(pod.getContainers().get(1).getEnv())
                .extracting(EnvVar::getName, EnvVar::getValue)
                .contains(Tuple.tuple("FLEDGE_UPSTREAM_READINESS_PATH", "/health"));

        ModelRelease own = release(vllm(new UpstreamSpec().withProxyImage("registry.example.com/fledge:1")));
        assertThat(withProxy
                        .build(own, "canary", config.of(own), 1)
                        .getSpec()
                        .getTemplate()
                        .getSpec()
                        .getContainers()
                        .get(1)
                        .getImage())
                .isEqualTo("registry.example.com/fledge:1");
        assertThat(config.of(own).getConfigHash())
                .as("another sidecar image is another configuration: it goes through the stages")
                .isNotEqualTo(serving.getConfigHash());
    }

    /** The Deployment of {@code mr}'s serving configuration with this version and URI. */
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
