package dev.fledge.operator.workload;

import io.fabric8.kubernetes.api.model.HasMetadata;
import io.fabric8.kubernetes.client.KubernetesClient;

/** Writes desired objects with server-side apply, as field manager {@code fledge-operator}. */
public final class Applier {
    public static final String FIELD_MANAGER = "fledge-operator";
    private final KubernetesClient client;

    public Applier(KubernetesClient client) {
        this.client = client;
    }

    public <T extends HasMetadata> T apply(T desired) {
        return client.resource(desired).fieldManager(FIELD_MANAGER).forceConflicts().serverSideApply();
    }
}
