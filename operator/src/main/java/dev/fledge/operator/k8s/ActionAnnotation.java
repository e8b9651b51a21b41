package dev.fledge.operator.k8s;

import dev.fledge.api.Labels;
import dev.fledge.api.ModelRelease;
import io.fabric8.kubernetes.client.KubernetesClient;
import io.fabric8.kubernetes.client.KubernetesClientException;
import io.fabric8.kubernetes.client.dsl.base.PatchContext;
import io.fabric8.kubernetes.client.dsl.base.PatchType;
import org.jboss.logging.Logger;

/**
 * Removes the {@code fledge.dev/action} annotation (read with {@code ManualAction.requestedOn}) once the status that
 * records its action as applied is stored ({@code status.action}). Removal is a JSON patch that first tests the value,
 * so an action a user wrote after the one being removed is not lost.
 */
public final class ActionAnnotation {
    private static final Logger LOG = Logger.getLogger(ActionAnnotation.class);
    private final KubernetesClient client;

    public ActionAnnotation(KubernetesClient client) {
        this.client = client;
    }

    /**
     * Removes the annotation if it still holds {@code value}. Returns whether it did. A failed removal is retried on
     * the next reconcile; the action is not applied again meanwhile, since {@code status.action} records it.
     */
    public boolean remove(ModelRelease mr, String value) {
        return remove(mr, Labels.ACTION, value);
    }

    /**
     * Removes the annotation {@code key} if it still holds {@code value} (also the {@code fledge.dev/capacity-hold}
     * override, once the hold it was for has ended). Returns whether it did.
     */
    public boolean remove(ModelRelease mr, String key, String value) {
        String path = "/metadata/annotations/" + key.replace("~", "~0").replace("/", "~1");
        String patch = "[{\"op\":\"test\",\"path\":\"" + path + "\",\"value\":" + json(value) + "},"
                + "{\"op\":\"remove\",\"path\":\"" + path + "\"}]";
        try {
            client.resources(ModelRelease.class)
                    .inNamespace(mr.getMetadata().getNamespace())
                    .resource(mr) // by the object's name: withName(..).patch would GET it first
                    .patch(PatchContext.of(PatchType.JSON), patch);
            return true;
        } catch (KubernetesClientException e) {
            LOG.warnf(
                    "could not remove %s=%s on %s/%s (HTTP %d): %s; retrying on the next reconcile",
                    key,
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
