package dev.fledge.operator.workload;

import static org.assertj.core.api.Assertions.assertThat;

import dev.fledge.api.Labels;
import dev.fledge.api.ModelRelease;
import dev.fledge.api.spec.ModelReleaseSpec;
import dev.fledge.api.spec.ModelSpec;
import dev.fledge.api.spec.ServerSpec;
import dev.fledge.api.status.ServingStatus;
import io.fabric8.kubernetes.api.model.ObjectMetaBuilder;
import io.fabric8.kubernetes.api.model.PodTemplateSpecBuilder;
import io.fabric8.kubernetes.api.model.apps.Deployment;
import org.junit.jupiter.api.Test;

/** What a live Deployment runs, read back for an older operator's status ({@link LiveServing}). */
class LiveServingTest {
    final ServerDefaults defaults = new ServerDefaults("fledge/model-server:0.1.0", 8080);
    final DesiredDeployment builder = new DesiredDeployment(defaults);
    final ServingConfig serving = new ServingConfig(defaults);

    /**
     * Issue 19 item 6: the response-id key (env variable, volume, mount) is the operator's. A Deployment an operator
     * before keys built reads as the same configuration as one this operator builds; the release's own volume and
     * mount are kept.
     */
    @Test
    void theResponseIdKeyIsTheOperatorsNotPartOfTheReleasesConfiguration() {
        ModelRelease mr = release();
        ServingStatus spec = serving.of(mr);
        Deployment withKey = builder.build(mr, Labels.TRACK_STABLE, spec, 2);
        Deployment withoutKey = builder.build(mr, Labels.TRACK_STABLE, spec, 2);
        var pod = withoutKey.getSpec().getTemplate().getSpec();
        pod.getVolumes().removeIf(v -> v.getName().equals(DesiredDeployment.FEEDBACK_KEY_VOLUME));
        pod.getContainers()
                .get(0)
                .getVolumeMounts()
                .removeIf(m -> m.getName().equals(DesiredDeployment.FEEDBACK_KEY_VOLUME));
        pod.getContainers().get(0).getEnv().removeIf(e -> e.getName().equals("FLEDGE_FEEDBACK_SIGNING_KEY_FILE"));

        ServingStatus read = LiveServing.read(withKey).orElseThrow();
        assertThat(ServingConfig.hash(read))
                .isEqualTo(ServingConfig.hash(LiveServing.read(withoutKey).orElseThrow()));
        assertThat(read.getTemplate().getSpec().getVolumes())
                .extracting(v -> v.getName())
                .containsExactly("cache");
        assertThat(read.getTemplate().getSpec().getContainers().get(0).getVolumeMounts())
                .extracting(m -> m.getName())
                .containsExactly("cache");
        assertThat(new LiveServing(builder, serving).running(mr, Labels.TRACK_STABLE, withoutKey, "1.0.0", spec))
                .as("an older operator's stable runs the spec's configuration")
                .hasValueSatisfying(s -> assertThat(s.getConfigHash()).isEqualTo(spec.getConfigHash()));
    }

    private static ModelRelease release() {
        ModelRelease mr = new ModelRelease();
        mr.setMetadata(new ObjectMetaBuilder()
                .withName("assistant")
                .withNamespace("ml")
                .withUid("uid-1")
                .build());
        mr.setSpec(new ModelReleaseSpec()
                .withModel(new ModelSpec()
                        .withName("assistant")
                        .withVersion("1.0.0")
                        .withUri("s3://m/1.0.0"))
                .withServer(new ServerSpec()
                        .withTemplate(new PodTemplateSpecBuilder()
                                .withNewSpec()
                                .addNewVolume()
                                .withName("cache")
                                .withNewEmptyDir()
                                .endEmptyDir()
                                .endVolume()
                                .addNewContainer()
                                .withName(ServerDefaults.CONTAINER)
                                .addNewVolumeMount()
                                .withName("cache")
                                .withMountPath("/cache")
                                .endVolumeMount()
                                .endContainer()
                                .endSpec()
                                .build())));
        return mr;
    }
}
