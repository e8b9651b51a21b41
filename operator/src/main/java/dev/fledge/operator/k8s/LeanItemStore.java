package dev.fledge.operator.k8s;

import io.fabric8.kubernetes.api.model.FieldsV1;
import io.fabric8.kubernetes.api.model.HasMetadata;
import io.fabric8.kubernetes.api.model.ManagedFieldsEntry;
import io.fabric8.kubernetes.api.model.ManagedFieldsEntryBuilder;
import io.fabric8.kubernetes.client.informers.cache.BasicItemStore;
import io.fabric8.kubernetes.client.informers.cache.Cache;
import java.util.List;
import java.util.Map;
import org.jboss.logging.Logger;

/**
 * An informer cache that keeps objects without kubectl's last-applied annotation and with only what the operator reads
 * of {@code metadata.managedFields}: which managers own {@code spec.replicas} (autoscaling, {@code
 * dev.fledge.operator.workload.Autoscalers}), each entry cut down to that one field. At 1000 releases the full entries
 * were a large part of the heap (bench-operator): every status patch and every apply adds managed-field entries to the
 * cached copy. Its model objects share one empty map of unknown fields, and its lists are trimmed ({@link CompactObjects}).
 */
public class LeanItemStore<T extends HasMetadata> extends BasicItemStore<T> {
    private static final Logger LOG = Logger.getLogger(LeanItemStore.class);
    static final String LAST_APPLIED = "kubectl.kubernetes.io/last-applied-configuration";
    static final String SPEC = "f:spec";
    static final String REPLICAS = "f:replicas";

    public LeanItemStore() {
        super(Cache::metaNamespaceKeyFunc);
    }

    @Override
    public T put(String key, T obj) {
        if (obj != null && obj.getMetadata() != null) {
            List<ManagedFieldsEntry> kept = replicasOwners(obj.getMetadata().getManagedFields());
            obj.getMetadata().setManagedFields(kept.isEmpty() ? null : kept);
            if (obj.getMetadata().getAnnotations() != null) {
                obj.getMetadata().getAnnotations().remove(LAST_APPLIED);
            }
        }
        try {
            CompactObjects.shrink(obj);
        } catch (RuntimeException e) {
            // a saving only: the object is cached as it is, with what the walk already shared
            LOG.debugf(e, "%s: cached without sharing its empty maps", key);
        }
        return super.put(key, obj);
    }

    /** The entries that own {@code spec.replicas}, with that field only. */
    static List<ManagedFieldsEntry> replicasOwners(List<ManagedFieldsEntry> entries) {
        if (entries == null) {
            return List.of();
        }
        return entries.stream()
                .filter(LeanItemStore::ownsReplicas)
                .map(m -> new ManagedFieldsEntryBuilder()
                        .withManager(m.getManager())
                        .withOperation(m.getOperation())
                        .withSubresource(m.getSubresource())
                        .withFieldsType(m.getFieldsType())
                        .withFieldsV1(replicasOnly())
                        .build())
                .toList();
    }

    /** Whether the managed-fields entry {@code m} owns {@code spec.replicas}. */
    public static boolean ownsReplicas(ManagedFieldsEntry m) {
        if (m.getFieldsV1() == null || m.getFieldsV1().getAdditionalProperties() == null) {
            return false;
        }
        return m.getFieldsV1().getAdditionalProperties().get(SPEC) instanceof Map<?, ?> spec
                && spec.containsKey(REPLICAS);
    }

    private static FieldsV1 replicasOnly() {
        FieldsV1 fields = new FieldsV1();
        fields.setAdditionalProperty(SPEC, Map.of(REPLICAS, Map.of()));
        return fields;
    }
}
