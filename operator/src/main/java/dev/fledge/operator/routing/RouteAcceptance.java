package dev.fledge.operator.routing;

import io.fabric8.kubernetes.api.model.Condition;
import io.fabric8.kubernetes.api.model.gatewayapi.v1.HTTPRoute;
import io.fabric8.kubernetes.api.model.gatewayapi.v1.ParentReference;
import io.fabric8.kubernetes.api.model.gatewayapi.v1.RouteParentStatus;
import java.util.List;
import java.util.Objects;
import java.util.Optional;

/**
 * Whether the Gateway has taken an HTTPRoute as written (Gateway API semantics): for each of the route's
 * {@code parentRefs}, {@code status.parents[]} holds an entry for that parent whose {@code Accepted} condition is True
 * with an {@code observedGeneration} at least the route's {@code metadata.generation}. A 200 on the write only says the
 * API server stored it; until the Gateway accepted it, it may still send requests as the previous route said. Pure.
 */
final class RouteAcceptance {
    static final String ACCEPTED = "Accepted";

    private RouteAcceptance() {}

    /** Empty when every parent accepted this generation of the route; otherwise why not, for the drift message. */
    static Optional<String> problem(HTTPRoute route) {
        Long generation = route.getMetadata().getGeneration();
        String name = "HTTPRoute " + route.getMetadata().getName();
        List<ParentReference> refs =
                route.getSpec() == null ? null : route.getSpec().getParentRefs();
        if (refs == null || refs.isEmpty()) {
            return Optional.of(name + " has no parentRefs: no Gateway serves it");
        }
        List<RouteParentStatus> parents =
                route.getStatus() == null || route.getStatus().getParents() == null
                        ? List.of()
                        : route.getStatus().getParents();
        String ns = route.getMetadata().getNamespace();
        for (ParentReference ref : refs) {
            String parent = (ref.getNamespace() == null ? ns : ref.getNamespace()) + "/" + ref.getName()
                    + (ref.getSectionName() == null ? "" : "#" + ref.getSectionName());
            Condition accepted = parents.stream()
                    .filter(p -> sameParent(p.getParentRef(), ref, ns))
                    .flatMap(p -> p.getConditions() == null
                            ? java.util.stream.Stream.<Condition>empty()
                            : p.getConditions().stream())
                    .filter(c -> ACCEPTED.equals(c.getType()))
                    .findFirst()
                    .orElse(null);
            if (accepted == null) {
                return Optional.of(name + " not yet accepted by Gateway " + parent + " (no Accepted condition)");
            }
            if (!"True".equals(accepted.getStatus())) {
                return Optional.of(name + " not accepted by Gateway " + parent + ": Accepted=" + accepted.getStatus()
                        + " reason " + accepted.getReason() + ": " + accepted.getMessage());
            }
            Long observed = accepted.getObservedGeneration();
            if (generation != null && (observed == null || observed < generation)) {
                return Optional.of(name + " generation " + generation + " not yet accepted by Gateway " + parent
                        + " (Accepted observedGeneration " + observed + ")");
            }
        }
        return Optional.empty();
    }

    private static boolean sameParent(ParentReference seen, ParentReference wanted, String routeNamespace) {
        return seen != null
                && Objects.equals(seen.getName(), wanted.getName())
                && Objects.equals(
                        seen.getNamespace() == null ? routeNamespace : seen.getNamespace(),
                        wanted.getNamespace() == null ? routeNamespace : wanted.getNamespace())
                && Objects.equals(seen.getSectionName(), wanted.getSectionName())
                && (wanted.getPort() == null || Objects.equals(seen.getPort(), wanted.getPort()));
    }
}
