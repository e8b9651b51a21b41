package dev.fledge.operator.workload;

import static org.assertj.core.api.Assertions.assertThat;

import dev.fledge.api.ModelRelease;
import dev.fledge.api.spec.ServerSpec;
import io.fabric8.kubernetes.api.model.PodTemplateSpecBuilder;
import java.util.function.Consumer;
import org.junit.jupiter.api.Test;

/** What counts as a change of the serving configuration (a rollout) and what does not (applies at once). */
class ServingConfigTest {
    final ServingConfig config = new ServingConfig(new ServerDefaults("fledge/model-server:0.1.0", 8080));

    String hash(Consumer<ModelRelease> change) {
        ModelRelease mr = DesiredDeploymentTest.release(new ServerSpec());
        change.accept(mr);
        return config.of(mr).getConfigHash();
    }

    @Test
    void theVersionAndTheReplicasAreNotPartOfTheConfigurationHash() {
        String base = hash(mr -> {});
        assertThat(hash(mr -> mr.getSpec().getModel().setVersion("9.9.9"))).isEqualTo(base);
        assertThat(hash(mr -> mr.getSpec().getServer().setReplicas(7))).isEqualTo(base);
        assertThat(hash(mr -> mr.getSpec().getServer().setImage("fledge/model-server:0.1.0")))
                .as("the default image written out is the same configuration")
                .isEqualTo(base);
    }

    @Test
    void everyFieldThatReachesThePodsChangesTheHash() {
        String base = hash(mr -> {});
        assertThat(hash(mr -> mr.getSpec().getServer().setImage("fledge/model-server:0.2.0")))
                .isNotEqualTo(base);
        assertThat(hash(mr -> mr.getSpec().getServer().setPort(9090))).isNotEqualTo(base);
        assertThat(hash(mr -> mr.getSpec().getModel().setUri("s3://m/other"))).isNotEqualTo(base);
        assertThat(hash(mr -> mr.getSpec().getModel().setSha256("a".repeat(64))))
                .isNotEqualTo(base);
        assertThat(hash(mr -> mr.getSpec()
                        .getServer()
                        .setTemplate(new PodTemplateSpecBuilder()
                                .withNewSpec()
                                .addToNodeSelector("gpu", "a100")
                                .endSpec()
                                .build())))
                .isNotEqualTo(base);
    }

    /**
     * The hashes of releases without {@code spec.model.s3}, as the operator before that field computed them: a new
     * field of the serving configuration left out when unset keeps them, so an operator upgrade restarts no pods.
     */
    @Test
    void aReleaseWithoutAnS3StoreKeepsTheHashItHadBeforeTheField() {
        assertThat(hash(mr -> {})).isEqualTo("8955f7ba4bfa2c82");
        assertThat(hash(mr -> {
                    mr.getSpec().getModel().setSha256("a".repeat(64));
                    mr.getSpec()
                            .getServer()
                            .setTemplate(new PodTemplateSpecBuilder()
                                    .withNewSpec()
                                    .addToNodeSelector("gpu", "a100")
                                    .endSpec()
                                    .build());
                }))
                .isEqualTo("342594220bddeda3");
    }

    @Test
    void theSameSpecAlwaysGivesTheSameHash() {
        assertThat(hash(mr -> {})).isEqualTo(hash(mr -> {})).hasSize(16);
    }
}
