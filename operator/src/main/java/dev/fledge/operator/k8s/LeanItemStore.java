package dev.fledge.operator.k8s;

import io.fabric8.kubernetes.api.model.HasMetadata;
import io.fabric8.kubernetes.client.informers.cache.BasicItemStore;
import io.fabric8.kubernetes.client.informers.cache.Cache;

/**
 * An informer cache that keeps objects without {@code metadata.managedFields} and kubectl's last-applied annotation.
 * The operator reads neither (its applies are server-side and forced), and at 1000 releases they were a large part
 * of the heap (bench-operator): every status patch and every apply adds managed-field entries to the cached copy.
 */
public class LeanItemStore<T extends HasMetadata> extends BasicItemStore<T> {
    static final String LAST_APPLIED = "kubectl.kubernetes.io/last-applied-configuration";

    public LeanItemStore() {
        super(Cache::metaNamespaceKeyFunc);
    }

    @Override
    public T put(String key, T obj) {
        if (obj != null && obj.getMetadata() != null) {
            obj.getMetadata().setManagedFields(null);
            if (obj.getMetadata().getAnnotations() != null) {
                obj.getMetadata().getAnnotations().remove(LAST_APPLIED);
            }
        }
        return super.put(key, obj);
    }
}
