package dev.fledge.e2e.rollout;

import dev.fledge.api.ModelRelease;
import io.fabric8.kubernetes.api.model.PodTemplateSpecBuilder;
import io.fabric8.kubernetes.client.utils.KubernetesSerialization;
import java.io.IOException;
import java.io.InputStream;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;

/**
 * {@code examples/quickstart.yaml} as the k3s suite applies it. The example loads the archives
 * committed in {@code examples/models/} from a ConfigMap; on a test cluster the model server loads the
 * fixture model directories ({@code make model-fixtures}) from a directory of the node instead,
 * mounted through the release's own {@code spec.server.template}, which replaces the example's.
 */
public final class Quickstart {

    /** Where the k3s suite copies model-server/target/fixtures/models on the node. */
    public static final String NODE_MODELS_DIR = "/var/lib/fledge/models";

    public static final String POD_MODELS_DIR = "/models";

    private Quickstart() {}

    public static ModelRelease load(KubernetesSerialization serialization, Path repo) {
        try (InputStream in = Files.newInputStream(repo.resolve("examples/quickstart.yaml"))) {
            return serialization.unmarshal(in, ModelRelease.class);
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }

    /** The quickstart at {@code version}, serving the fixture model directory {@code fixture}. */
    public static ModelRelease at(KubernetesSerialization serialization, Path repo, String version, String fixture) {
        ModelRelease mr = load(serialization, repo);
        mr.getSpec().getModel().setVersion(version);
        mr.getSpec().getModel().setUri("file://" + POD_MODELS_DIR + "/" + fixture);
        mr.getSpec()
                .getServer()
                .setTemplate(new PodTemplateSpecBuilder()
                        .withNewSpec()
                        .addNewVolume()
                        .withName("models")
                        .withNewHostPath()
                        .withPath(NODE_MODELS_DIR)
                        .withType("Directory")
                        .endHostPath()
                        .endVolume()
                        .addNewContainer()
                        .withName("model-server")
                        .addNewVolumeMount()
                        .withName("models")
                        .withMountPath(POD_MODELS_DIR)
                        .withReadOnly(true)
                        .endVolumeMount()
                        .endContainer()
                        .endSpec()
                        .build());
        return mr;
    }
}
