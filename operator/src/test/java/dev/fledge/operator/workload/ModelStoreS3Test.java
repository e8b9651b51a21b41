package dev.fledge.operator.workload;

import static org.assertj.core.api.Assertions.assertThat;

import dev.fledge.api.Labels;
import dev.fledge.api.ModelRelease;
import dev.fledge.api.spec.S3StoreSpec;
import dev.fledge.api.spec.ServerSpec;
import dev.fledge.api.spec.UpstreamSpec;
import dev.fledge.api.status.ServingStatus;
import io.fabric8.kubernetes.api.model.Container;
import io.fabric8.kubernetes.api.model.EnvVar;
import io.fabric8.kubernetes.api.model.KeyToPath;
import io.fabric8.kubernetes.api.model.PodSpec;
import io.fabric8.kubernetes.api.model.PodTemplateSpecBuilder;
import io.fabric8.kubernetes.api.model.Volume;
import io.fabric8.kubernetes.api.model.VolumeMount;
import io.fabric8.kubernetes.api.model.apps.Deployment;
import java.util.List;
import java.util.Map;
import java.util.function.Consumer;
import java.util.stream.Collectors;
import org.junit.jupiter.api.Test;

/**
 * Issue 17 part 6: {@code spec.model.s3} reaches the Fledge model server as its {@code fledge.model.s3.*} settings:
 * the endpoint and region as env, the Secret's two keys as read-only files in its container only.
 */
class ModelStoreS3Test {
    static final String MOTO = "http://minio.storage.svc:9000";
    final ServerDefaults defaults = new ServerDefaults("fledge/model-server:0.1.0", 8080);
    final DesiredDeployment builder = new DesiredDeployment(defaults);
    final ServingConfig config = new ServingConfig(defaults);

    static ModelRelease release(ServerSpec server, S3StoreSpec s3) {
        ModelRelease mr = DesiredDeploymentTest.release(server);
        mr.getSpec().getModel().setS3(s3);
        return mr;
    }

    static S3StoreSpec store() {
        return new S3StoreSpec().withEndpoint(MOTO).withRegion("eu-west-1").withSecretName("model-store");
    }

    PodSpec pod(ModelRelease mr) {
        return deployment(mr).getSpec().getTemplate().getSpec();
    }

    Deployment deployment(ModelRelease mr) {
        return builder.build(mr, Labels.TRACK_CANARY, config.of(mr), 1);
    }

    static Map<String, String> env(Container c) {
        return c.getEnv().stream()
                .filter(e -> e.getValue() != null)
                .collect(Collectors.toMap(EnvVar::getName, EnvVar::getValue));
    }

    @Test
    void theSecretsTwoKeysAreMountedReadOnlyIntoTheModelServerAndItsSettingsPointAtThem() {
        PodSpec pod = pod(release(new ServerSpec(), store()));

        assertThat(pod.getVolumes())
                .filteredOn(v -> v.getName().equals(ModelStoreS3.VOLUME))
                .singleElement()
                .satisfies(v -> {
                    assertThat(v.getSecret().getSecretName()).isEqualTo("model-store");
                    assertThat(v.getSecret().getItems())
                            .extracting(KeyToPath::getKey, KeyToPath::getPath, KeyToPath::getMode)
                            .containsExactly(
                                    org.assertj.core.groups.Tuple.tuple("AWS_ACCESS_KEY_ID", "access-key-id", null),
                                    org.assertj.core.groups.Tuple.tuple(
                                            "AWS_SECRET_ACCESS_KEY", "secret-access-key", null));
                    assertThat(v.getSecret().getDefaultMode())
                            .as("0444, as the response-id key's: the pod may run as the image's user")
                            .isEqualTo(0444);
                    assertThat(v.getSecret().getOptional()).isFalse();
                });
        Container server = pod.getContainers().get(0);
        assertThat(server.getVolumeMounts())
                .filteredOn(m -> m.getName().equals(ModelStoreS3.VOLUME))
                .singleElement()
                .satisfies(m -> {
                    assertThat(m.getMountPath()).isEqualTo("/var/run/fledge/model-s3");
                    assertThat(m.getReadOnly()).isTrue();
                    assertThat(m.getSubPath()).isNull();
                });
        assertThat(env(server))
                .containsEntry("FLEDGE_MODEL_S3_ENDPOINT", MOTO)
                .containsEntry("FLEDGE_MODEL_S3_REGION", "eu-west-1")
                .containsEntry("FLEDGE_MODEL_S3_ACCESS_KEY_ID_FILE", "/var/run/fledge/model-s3/access-key-id")
                .containsEntry("FLEDGE_MODEL_S3_SECRET_ACCESS_KEY_FILE", "/var/run/fledge/model-s3/secret-access-key");
        assertThat(builder.operatorEnvValues("assistant", config.of(release(new ServerSpec(), store()))))
                .as("the operator's variables, which a kept template is held to")
                .containsKeys(
                        "FLEDGE_MODEL_S3_ENDPOINT",
                        "FLEDGE_MODEL_S3_REGION",
                        "FLEDGE_MODEL_S3_ACCESS_KEY_ID_FILE",
                        "FLEDGE_MODEL_S3_SECRET_ACCESS_KEY_FILE");
    }

    @Test
    void onlyTheSettingsThatAreSetReachTheServer() {
        Container endpointOnly = pod(release(new ServerSpec(), new S3StoreSpec().withEndpoint(MOTO)))
                .getContainers()
                .get(0);
        assertThat(env(endpointOnly))
                .containsEntry("FLEDGE_MODEL_S3_ENDPOINT", MOTO)
                .doesNotContainKeys(
                        "FLEDGE_MODEL_S3_REGION",
                        "FLEDGE_MODEL_S3_ACCESS_KEY_ID_FILE",
                        "FLEDGE_MODEL_S3_SECRET_ACCESS_KEY_FILE");
        assertThat(endpointOnly.getVolumeMounts())
                .extracting(VolumeMount::getName)
                .doesNotContain(ModelStoreS3.VOLUME);

        PodSpec secretOnly = pod(release(new ServerSpec(), new S3StoreSpec().withSecretName("model-store")));
        assertThat(env(secretOnly.getContainers().get(0)))
                .containsKeys("FLEDGE_MODEL_S3_ACCESS_KEY_ID_FILE", "FLEDGE_MODEL_S3_SECRET_ACCESS_KEY_FILE")
                .doesNotContainKeys("FLEDGE_MODEL_S3_ENDPOINT", "FLEDGE_MODEL_S3_REGION");
        assertThat(secretOnly.getVolumes()).extracting(Volume::getName).contains(ModelStoreS3.VOLUME);
    }

    @Test
    void aReleaseWithoutAStoreGetsNothingOfItAndAnEmptyStoreIsNone() {
        for (S3StoreSpec none : new S3StoreSpec[] {null, new S3StoreSpec()}) {
            ModelRelease mr = release(new ServerSpec(), none);
            PodSpec pod = pod(mr);
            assertThat(pod.getVolumes()).extracting(Volume::getName).doesNotContain(ModelStoreS3.VOLUME);
            assertThat(pod.getContainers().get(0).getVolumeMounts())
                    .extracting(VolumeMount::getName)
                    .doesNotContain(ModelStoreS3.VOLUME);
            assertThat(env(pod.getContainers().get(0)).keySet()).noneMatch(n -> n.startsWith("FLEDGE_MODEL_S3_"));
            assertThat(config.of(mr).getS3()).isNull();
            assertThat(deployment(mr))
                    .as("the same Deployment as before the field")
                    .isEqualTo(deployment(release(new ServerSpec(), null)));
        }
    }

    @Test
    void aTemplateVolumeOrMountOfTheOperatorsNameIsDropped() {
        ServerSpec squatter = new ServerSpec()
                .withTemplate(new PodTemplateSpecBuilder()
                        .withNewSpec()
                        .addNewVolume()
                        .withName(ModelStoreS3.VOLUME)
                        .withNewSecret()
                        .withSecretName("someone-elses")
                        .endSecret()
                        .endVolume()
                        .addNewContainer()
                        .withName("model-server")
                        .addNewVolumeMount()
                        .withName(ModelStoreS3.VOLUME)
                        .withMountPath("/data")
                        .endVolumeMount()
                        .endContainer()
                        .endSpec()
                        .build());
        PodSpec withStore = pod(release(squatter, store()));
        assertThat(withStore.getVolumes())
                .filteredOn(v -> v.getName().equals(ModelStoreS3.VOLUME))
                .singleElement()
                .satisfies(v -> assertThat(v.getSecret().getSecretName()).isEqualTo("model-store"));
        assertThat(withStore.getContainers().get(0).getVolumeMounts())
                .filteredOn(m -> m.getName().equals(ModelStoreS3.VOLUME))
                .extracting(VolumeMount::getMountPath)
                .containsExactly(ModelStoreS3.MOUNT_PATH);

        PodSpec without = pod(release(squatter, null));
        assertThat(without.getVolumes()).extracting(Volume::getName).doesNotContain(ModelStoreS3.VOLUME);
        assertThat(without.getContainers().get(0).getVolumeMounts())
                .extracting(VolumeMount::getName)
                .doesNotContain(ModelStoreS3.VOLUME);
    }

    /** With another server the Fledge container is a sidecar that loads no model: nothing of the store reaches a pod. */
    @Test
    void withAnUpstreamNeitherContainerGetsTheStore() {
        PodSpec pod = pod(release(DesiredDeploymentTest.vllm(new UpstreamSpec()), store()));
        assertThat(pod.getContainers()).hasSize(2);
        assertThat(pod.getVolumes()).extracting(Volume::getName).doesNotContain(ModelStoreS3.VOLUME);
        for (Container c : pod.getContainers()) {
            assertThat(c.getVolumeMounts()).extracting(VolumeMount::getName).doesNotContain(ModelStoreS3.VOLUME);
            assertThat(c.getEnv()).extracting(EnvVar::getName).noneMatch(n -> n.startsWith("FLEDGE_MODEL_S3_"));
        }
    }

    @Test
    void everyFieldOfTheStoreIsPartOfTheServingConfiguration() {
        String base = config.of(release(new ServerSpec(), store())).getConfigHash();
        List<Consumer<S3StoreSpec>> edits = List.of(
                s -> s.setEndpoint("https://s3.example.com"),
                s -> s.setRegion("us-east-1"),
                s -> s.setSecretName("other-store"),
                s -> s.setSecretName(null));
        for (Consumer<S3StoreSpec> edit : edits) {
            S3StoreSpec changed = store();
            edit.accept(changed);
            assertThat(config.of(release(new ServerSpec(), changed)).getConfigHash())
                    .isNotEqualTo(base);
        }
        assertThat(config.of(release(new ServerSpec(), null)).getConfigHash()).isNotEqualTo(base);
        assertThat(config.of(release(new ServerSpec(), store())).getConfigHash())
                .isEqualTo(base);
    }

    /**
     * A Deployment built for a spec reads back as that spec's configuration (an older operator's status, {@link
     * LiveServing}): the store from its env and volume, its volume and mount not the release's own; one built for
     * another Secret reads as another configuration.
     */
    @Test
    void aDeploymentReadsBackAsTheStoreItWasBuiltFor() {
        ModelRelease mr = release(new ServerSpec(), store());
        ServingStatus spec = config.of(mr);
        Deployment built = builder.build(mr, Labels.TRACK_STABLE, spec, 2);

        ServingStatus read = LiveServing.read(built).orElseThrow();
        assertThat(read.getS3()).usingRecursiveComparison().isEqualTo(store());
        assertThat(read.getTemplate().getSpec().getVolumes()).isNull();
        assertThat(read.getTemplate().getSpec().getContainers().get(0).getVolumeMounts())
                .isNull();
        assertThat(new LiveServing(builder, config).running(mr, Labels.TRACK_STABLE, built, "2.0.0", spec))
                .hasValueSatisfying(s -> assertThat(s.getConfigHash()).isEqualTo(spec.getConfigHash()));

        ModelRelease before = release(new ServerSpec(), store().withSecretName("old-store"));
        Deployment other = builder.build(before, Labels.TRACK_STABLE, config.of(before), 2);
        assertThat(new LiveServing(builder, config).running(mr, Labels.TRACK_STABLE, other, "2.0.0", spec))
                .hasValueSatisfying(s -> {
                    assertThat(s.getConfigHash()).isNotEqualTo(spec.getConfigHash());
                    assertThat(s.getS3().getSecretName()).isEqualTo("old-store");
                });
        Deployment olderOperatorsSquatter = builder.build(mr, Labels.TRACK_STABLE, spec, 2);
        olderOperatorsSquatter
                .getSpec()
                .getTemplate()
                .getSpec()
                .getContainers()
                .get(0)
                .getEnv()
                .removeIf(e -> e.getName().startsWith("FLEDGE_MODEL_S3_"));
        assertThat(LiveServing.read(olderOperatorsSquatter).orElseThrow().getS3())
                .as("a volume of the name without the variables pointing at it (an older operator kept the template's)")
                .isNull();
        assertThat(LiveServing.read(builder.build(
                                release(new ServerSpec(), null),
                                Labels.TRACK_STABLE,
                                config.of(release(new ServerSpec(), null)),
                                2))
                        .orElseThrow()
                        .getS3())
                .isNull();
    }
}
