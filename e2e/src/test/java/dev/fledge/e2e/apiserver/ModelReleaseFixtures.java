package dev.fledge.e2e.apiserver;

import com.fasterxml.jackson.databind.node.ObjectNode;
import io.fabric8.kubernetes.api.model.GenericKubernetesResource;
import io.fabric8.kubernetes.client.KubernetesClient;
import io.fabric8.kubernetes.client.utils.KubernetesSerialization;
import java.io.IOException;
import java.io.InputStream;
import java.io.UncheckedIOException;
import java.util.function.Consumer;

/** ModelReleases for the API server suites, as untyped resources (any schema can be sent). */
public final class ModelReleaseFixtures {

    private static final String VALID = "/valid-modelrelease.yaml";

    private final KubernetesSerialization serialization;

    public ModelReleaseFixtures(KubernetesClient client) {
        this.serialization = client.getKubernetesSerialization();
    }

    /** A release that sets every field the rejection cases touch, and is valid. */
    public GenericKubernetesResource validRelease() {
        return validRelease(tree -> {});
    }

    /** The valid release with one edit applied. */
    public GenericKubernetesResource validRelease(Consumer<ObjectNode> edit) {
        ObjectNode tree = serialization.convertValue(readValid(), ObjectNode.class);
        edit.accept(tree);
        return serialization.convertValue(tree, GenericKubernetesResource.class);
    }

    private GenericKubernetesResource readValid() {
        try (InputStream in = ModelReleaseFixtures.class.getResourceAsStream(VALID)) {
            if (in == null) {
                throw new IllegalStateException(VALID + " is not on the test classpath");
            }
            return serialization.unmarshal(in, GenericKubernetesResource.class);
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }
}
