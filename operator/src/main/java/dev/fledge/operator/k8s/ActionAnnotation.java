package dev.fledge.operator.k8s;

import dev.fledge.api.Labels;
import dev.fledge.api.ModelRelease;
import io.fabric8.kubernetes.client.KubernetesClient;
import io.fabric8.kubernetes.client.KubernetesClientException;
import io.fabric8.kubernetes.client.dsl.base.PatchContext;
import io.fabric8.kubernetes.client.dsl.base.PatchType;
import org.jboss.logging.Logger;

/**
 * Consumes the {@code fledge.dev/action} annotation (read with {@code ManualAction.requestedOn}). Removal is a JSON patch that first tests the value,
 * so an action a user wrote after the one being consumed is not lost, and it happens before the action is applied.
 */
public final class ActionAnnotation {
    private static final Logger LOG = Logger.getLogger(ActionAnnotation.class);
    private final KubernetesClient client;

    public ActionAnnotation(KubernetesClient client) {
        this.client = client;
    }

    /**
     * Removes the annotation if it still holds {@code value}. Returns whether it did: an action is applied only
     * once it is consumed, so a failed removal never applies it twice (it is retried on the next reconcile).
     */
    public boolean consume(ModelRelease mr, String value) {
        String path =
                "/metadata/annotations/" + Labels.ACTION.replace("~", "~0").replace("/", "~1");
        String patch = "[{\"op\":\"test\",\"path\":\"" + path + "\",\"value\":" + json(value) + "},"
                + "{\"op\":\"remove\",\"path\":\"" + path + "\"}]";
        try {
            client.resources(ModelRelease.class)
                    .inNamespace(mr.getMetadata().getNamespace())
                    .withName(mr.getMetadata().getName())
                    .patch(PatchContext.of(PatchType.JSON), patch);
            return true;
        } catch (KubernetesClientException e) {
            LOG.warnf(
                    "could not consume %s=%s on %s/%s (HTTP %d): %s; retrying on the next reconcile",
                    Labels.ACTION,
                    value,
                    mr.getMetadata().getNamespace(),
                    mr.getMetadata().getName(),
                    e.getCode(),
                    e.getMessage());
            return false;
        }
    }

    private static String json(String s) {
        return "\"" + s.replace("\\", "\\\\").replace("\"", "\\\"") + "\"";
    }
}
