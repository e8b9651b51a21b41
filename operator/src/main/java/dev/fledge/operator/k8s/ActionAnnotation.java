package dev.fledge.operator.k8s;

import dev.fledge.api.Labels;
import dev.fledge.api.ModelRelease;
import io.fabric8.kubernetes.client.KubernetesClient;
import io.fabric8.kubernetes.client.KubernetesClientException;
import io.fabric8.kubernetes.client.dsl.base.PatchContext;
import io.fabric8.kubernetes.client.dsl.base.PatchType;

import java.util.Optional;

/**
 * Reads and consumes the {@code fledge.dev/action} annotation. Removal is a JSON patch that first tests the value,
 * so an action a user wrote after the one being consumed is not lost.
 */
public final class ActionAnnotation {
    private final KubernetesClient client;

    public ActionAnnotation(KubernetesClient client) {
        this.client = client;
    }

    public static Optional<String> read(ModelRelease mr) {
        var annotations = mr.getMetadata().getAnnotations();
        return annotations == null ? Optional.empty() : Optional.ofNullable(annotations.get(Labels.ACTION));
    }

    public void consume(ModelRelease mr, String value) {
        String path = "/metadata/annotations/" + Labels.ACTION.replace("~", "~0").replace("/", "~1");
        String patch = "[{\"op\":\"test\",\"path\":\"" + path + "\",\"value\":" + json(value) + "},"
                + "{\"op\":\"remove\",\"path\":\"" + path + "\"}]";
        try {
            client.resources(ModelRelease.class).inNamespace(mr.getMetadata().getNamespace())
                    .withName(mr.getMetadata().getName()).patch(PatchContext.of(PatchType.JSON), patch);
        } catch (KubernetesClientException e) {
            if (e.getCode() != 422 && e.getCode() != 409) {
                throw e;
            }
            // the annotation changed meanwhile: the new value is handled on the next reconcile
        }
    }

    private static String json(String s) {
        return "\"" + s.replace("\\", "\\\\").replace("\"", "\\\"") + "\"";
    }
}
