package dev.fledge.operator.workload;

import dev.fledge.api.Labels;
import dev.fledge.api.ModelRelease;
import io.fabric8.kubernetes.api.model.ObjectMeta;
import io.fabric8.kubernetes.api.model.ObjectMetaBuilder;
import io.fabric8.kubernetes.api.model.OwnerReferenceBuilder;
import java.util.Map;

/** Metadata for an object owned by a release: its labels and a controller owner reference. */
public final class Owned {
    private Owned() {}

    public static ObjectMeta meta(ModelRelease mr, String name, Map<String, String> extraLabels) {
        return new ObjectMetaBuilder()
                .withName(name)
                .withNamespace(mr.getMetadata().getNamespace())
                .addToLabels(Labels.RELEASE, mr.getMetadata().getName())
                .addToLabels("app.kubernetes.io/managed-by", "fledge")
                .addToLabels(extraLabels)
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
}
