package dev.fledge.operator.routing;

import dev.fledge.api.Labels;
import dev.fledge.api.ModelRelease;
import io.fabric8.kubernetes.api.model.HasMetadata;
import io.fabric8.kubernetes.api.model.OwnerReference;
import io.fabric8.kubernetes.client.KubernetesClient;
import io.fabric8.kubernetes.client.KubernetesClientException;
import java.util.List;
import java.util.Objects;
import java.util.Optional;

/**
 * The routing objects a release owns: labelled {@value Labels#RELEASE} with its name and carrying a controller owner
 * reference with its UID (the label alone is not enough: anyone may set it).
 */
final class OwnedRouting {
    private static final String GROUP = "fledge.dev";

    private final KubernetesClient client;

    OwnedRouting(KubernetesClient client) {
        this.client = client;
    }

    /** The objects of a kind labelled with the release and controlled by it; none when the kind is not installed. */
    <T extends HasMetadata> List<T> of(ModelRelease mr, Class<T> type) {
        return ofInstalled(mr, type).orElse(List.of());
    }

    /** As {@link #of}, empty (not an empty list) when the kind is not installed (the LIST answered 404). */
    <T extends HasMetadata> Optional<List<T>> ofInstalled(ModelRelease mr, Class<T> type) {
        List<T> items;
        try {
            items = client.resources(type)
                    .inNamespace(mr.getMetadata().getNamespace())
                    .withLabel(Labels.RELEASE, mr.getMetadata().getName())
                    .list()
                    .getItems();
        } catch (KubernetesClientException e) {
            if (e.getCode() == 404) {
                return Optional.empty(); // no such CRD in this cluster (Gateway API, Inference Extension)
            }
            throw e;
        }
        return Optional.of(items.stream()
                .filter(o -> controlledBy(o, mr.getMetadata().getUid()))
                .toList());
    }

    /** A controller owner reference to a fledge.dev ModelRelease with this UID (the name is not enough). */
    static boolean controlledBy(HasMetadata o, String uid) {
        List<OwnerReference> refs = o.getMetadata().getOwnerReferences();
        return uid != null
                && refs != null
                && refs.stream()
                        .anyMatch(r -> Boolean.TRUE.equals(r.getController())
                                && Objects.equals(uid, r.getUid())
                                && "ModelRelease".equals(r.getKind())
                                && r.getApiVersion() != null
                                && r.getApiVersion().startsWith(GROUP + "/"));
    }
}
