package dev.fledge.operator.workload;

import dev.fledge.api.ModelRelease;
import io.fabric8.kubernetes.api.model.HasMetadata;
import io.fabric8.kubernetes.api.model.OwnerReference;
import io.fabric8.kubernetes.api.model.StatusBuilder;
import io.fabric8.kubernetes.client.KubernetesClientException;
import java.util.List;
import java.util.Objects;

/**
 * The operator writes onto an existing object only when that object is already controlled by the release the write
 * is for (its controller owner reference carries the release's UID). A forced server-side apply would otherwise take
 * over a Service, Deployment, HTTPRoute or ConfigMap that another team or the platform created under the same name
 * (issue 15, finding 7).
 */
public final class Ownership {
    private Ownership() {}

    /** Throws {@link NotOwned} when {@code existing} is there and not controlled by the owner {@code desired} names. */
    public static void check(HasMetadata existing, HasMetadata desired) {
        if (existing == null) {
            return;
        }
        OwnerReference owner = controller(desired.getMetadata().getOwnerReferences());
        OwnerReference found = controller(existing.getMetadata().getOwnerReferences());
        if (owner == null || found == null || !Objects.equals(owner.getUid(), found.getUid())) {
            throw new NotOwned(desired, owner, found);
        }
    }

    /**
     * Whether {@code existing} is controlled by {@code mr} (its controller owner reference carries the release's UID):
     * what the operator reads by name is counted only then, so an object another team created under the release's
     * names does not steer it.
     */
    public static boolean controlledBy(HasMetadata existing, ModelRelease mr) {
        OwnerReference found =
                existing == null ? null : controller(existing.getMetadata().getOwnerReferences());
        return found != null
                && mr.getMetadata().getUid() != null
                && mr.getMetadata().getUid().equals(found.getUid());
    }

    /**
     * Whether {@code a} and {@code b} have one controller (the controller owner references of both carry the same
     * UID): an object the operator derived from another one of the release, as {@link #check} holds it.
     */
    static boolean sameController(HasMetadata a, HasMetadata b) {
        OwnerReference first = controller(a.getMetadata().getOwnerReferences());
        OwnerReference second = controller(b.getMetadata().getOwnerReferences());
        return first != null && second != null && Objects.equals(first.getUid(), second.getUid());
    }

    private static OwnerReference controller(List<OwnerReference> refs) {
        return refs == null
                ? null
                : refs.stream()
                        .filter(r -> Boolean.TRUE.equals(r.getController()))
                        .findFirst()
                        .orElse(null);
    }

    /**
     * The object exists and belongs to someone else. A 422 so that the reconciler reports it as a spec problem
     * (phase Invalid, a Warning event) rather than retrying for ever: the release's name must change, or the object
     * must go.
     */
    public static final class NotOwned extends KubernetesClientException {
        NotOwned(HasMetadata desired, OwnerReference owner, OwnerReference found) {
            super(
                    message(desired, owner, found),
                    422,
                    new StatusBuilder()
                            .withCode(422)
                            .withReason("Conflict")
                            .withMessage(message(desired, owner, found))
                            .build());
        }

        private static String message(HasMetadata desired, OwnerReference owner, OwnerReference found) {
            String who =
                    found == null ? "nobody (no controller owner reference)" : found.getKind() + " " + found.getName();
            return "ownership conflict: " + desired.getKind() + " "
                    + desired.getMetadata().getNamespace() + "/"
                    + desired.getMetadata().getName() + " already exists and is controlled by " + who + ", not by "
                    + (owner == null ? "this release" : owner.getKind() + " " + owner.getName())
                    + "; Fledge does not take over objects it does not own: rename the release or remove that object";
        }
    }
}
