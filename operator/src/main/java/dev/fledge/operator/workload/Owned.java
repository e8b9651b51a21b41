package dev.fledge.operator.workload;

import dev.fledge.api.Labels;
import dev.fledge.api.ModelRelease;
import io.fabric8.kubernetes.api.model.ObjectMeta;
import io.fabric8.kubernetes.api.model.ObjectMetaBuilder;
import io.fabric8.kubernetes.api.model.OwnerReferenceBuilder;
import java.util.Map;

/**
 * Metadata for an object owned by a release: its labels (with the release's {@value Labels#SHARD} label, when it has
 * one, so that a shard's Deployment informer selects what its releases own) and a controller owner reference.
 */
public final class Owned {
    private Owned() {}

    public static ObjectMeta meta(ModelRelease mr, String name, Map<String, String> extraLabels) {
        return new ObjectMetaBuilder()
                .withName(name)
                .withNamespace(mr.getMetadata().getNamespace())
                .addToLabels(Labels.RELEASE, mr.getMetadata().getName())
                .addToLabels("app.kubernetes.io/managed-by", "fledge")
                .addToLabels(extraLabels)
                .addToLabels(shardLabel(mr))
                .withOwnerReferences(new OwnerReferenceBuilder()
                        .withApiVersion(mr.getApiVersion())
                        .withKind(mr.getKind())
                        .withName(mr.getMetadata().getName())
                        .withUid(mr.getMetadata().getUid())
                        .withController(true)
                        .withBlockOwnerDeletion(true)
                        .build())
                .build();
    }

    private static Map<String, String> shardLabel(ModelRelease mr) {
        Map<String, String> labels = mr.getMetadata().getLabels();
        String shard = labels == null ? null : labels.get(Labels.SHARD);
        return shard == null ? Map.of() : Map.of(Labels.SHARD, shard);
    }
}
