package dev.fledge.operator.routing;

import dev.fledge.api.ModelRelease;
import dev.fledge.core.rollout.Plan;
import dev.fledge.core.rollout.SpecWarning;
import dev.fledge.core.rollout.TrafficSplit;
import java.util.List;
import java.util.Optional;

/** A way of steering each audience's requests to the stable or the canary version (DESIGN §5). */
public interface TrafficRouter {
    /** Problems with the spec that only a look at the cluster reveals (e.g. a missing Gateway), as "field: message". */
    List<String> validate(ModelRelease release);

    /** Replica counts this router needs for the split. */
    Replicas replicas(Plan plan, TrafficSplit split);

    /**
     * Writes the routing objects for the split and checks what the API server stored (after admission): empty when
     * it matches the split, otherwise what differs. The check reads the apply responses, not a second GET. Then it
     * removes the routing objects the release owns and no longer wants ({@link StaleRoutes}); what it could not remove
     * is part of the returned difference, so the reconciler records {@code RouteDrift} and requeues soon.
     */
    Optional<String> apply(ModelRelease release, TrafficSplit split);

    /** Standing warnings about how the release is routed, each written as a True condition of its own type. */
    default List<SpecWarning> warnings(ModelRelease release) {
        return List.of();
    }

    /**
     * Whether this router approximates the public weight by replica counts: it then needs stable at full size and
     * ready before the canary may leave the public Service ({@code CanaryDrain}).
     */
    default boolean splitsByReplicas() {
        return false;
    }

    /**
     * As {@link #apply(ModelRelease, TrafficSplit)}; with {@code holdCanaryPublic}, a router that
     * {@link #splitsByReplicas() splits by replicas} keeps the canary's pods in the public Service although the split
     * runs no canary any more.
     */
    default Optional<String> apply(ModelRelease release, TrafficSplit split, boolean holdCanaryPublic) {
        return apply(release, split);
    }

    /**
     * As {@link #apply(ModelRelease, TrafficSplit, boolean)}, and also which routes are stored as wanted but not yet
     * taken up by whoever serves them: the gatewayAPI router returns the HTTPRoutes a Gateway has not accepted at their
     * current generation ({@link Unaccepted}), because that Gateway may still route as the previous route said. The
     * replicas router has nothing to wait for: kube-proxy programs a Service's endpoints from its selector.
     */
    default Routed route(ModelRelease release, TrafficSplit split, boolean holdCanaryPublic) {
        return Routed.of(apply(release, split, holdCanaryPublic));
    }

    /** Sends every audience to stable. */
    default void reset(ModelRelease release, String stableVersion) {
        apply(release, TrafficSplit.stableOnly(stableVersion));
    }

    /** The release is gone: what the router kept for it goes too. */
    default void forget(ModelRelease release) {}
}
