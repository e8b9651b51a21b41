package dev.fledge.operator.routing;

import io.fabric8.kubernetes.api.model.Condition;
import io.fabric8.kubernetes.api.model.gatewayapi.v1.HTTPRoute;
import io.fabric8.kubernetes.api.model.gatewayapi.v1.ParentReference;
import io.fabric8.kubernetes.api.model.gatewayapi.v1.RouteParentStatus;
import java.util.List;
import java.util.Objects;
import java.util.Optional;
import java.util.stream.Stream;

/**
 * Whether the Gateway has taken an HTTPRoute as written (Gateway API semantics): for each of the route's
 * {@code parentRefs}, {@code status.parents[]} holds an entry for that parent whose {@code Accepted} condition is True
 * with an {@code observedGeneration} at least the route's {@code metadata.generation}. A route that names
 * InferencePools or TraefikServices (the shadow stage on Traefik) must also have no {@code ResolvedRefs} condition False for that generation: a Gateway that does not
 * implement them (or cannot find one) accepts the route but fails every request to the pool, so that counts as a
 * refusal. A 200 on the write only says the API
 * server stored it; until the Gateway accepted it, it may still send requests as the previous route said. Pure.
 */
final class RouteAcceptance {
    static final String ACCEPTED = "Accepted";
    static final String RESOLVED_REFS = "ResolvedRefs";

    private RouteAcceptance() {}

    /**
     * The first parent that has not accepted this generation of the route ({@code rejected}: it answered
     * {@code Accepted=False}), or empty when every parent did.
     */
    static Optional<Unaccepted> problem(HTTPRoute route) {
        Long generation = route.getMetadata().getGeneration();
        String name = route.getMetadata().getName();
        List<ParentReference> refs =
                route.getSpec() == null ? null : route.getSpec().getParentRefs();
        if (refs == null || refs.isEmpty()) {
            return Optional.of(new Unaccepted(name, "-", false, "the route has no parentRefs: no Gateway serves it"));
        }
        List<RouteParentStatus> parents =
                route.getStatus() == null || route.getStatus().getParents() == null
                        ? List.of()
                        : route.getStatus().getParents();
        String ns = route.getMetadata().getNamespace();
        for (ParentReference ref : refs) {
            String parent = (ref.getNamespace() == null ? ns : ref.getNamespace()) + "/" + ref.getName()
                    + (ref.getSectionName() == null ? "" : "#" + ref.getSectionName());
            Condition accepted = condition(parents, ref, ns, ACCEPTED);
            if (accepted == null) {
                return Optional.of(new Unaccepted(
                        name, parent, false, "no Accepted condition yet (generation " + generation + ")"));
            }
            Long observed = accepted.getObservedGeneration();
            boolean current = generation == null || (observed != null && observed >= generation);
            if (!"True".equals(accepted.getStatus())) {
                String said = "Accepted=" + accepted.getStatus() + " reason " + accepted.getReason()
                        + (accepted.getMessage() == null
                                        || accepted.getMessage().isBlank()
                                ? ""
                                : ": " + accepted.getMessage());
                return Optional.of(
                        current
                                ? new Unaccepted(name, parent, true, said)
                                : new Unaccepted(
                                        name,
                                        parent,
                                        false,
                                        "generation " + generation + " not answered yet (last answer, to generation "
                                                + observed + ": " + said + ")"));
            }
            if (!current) {
                return Optional.of(new Unaccepted(
                        name,
                        parent,
                        false,
                        "generation " + generation + " not accepted yet (Accepted=True at generation " + observed
                                + ")"));
            }
            Condition resolved = routesToExtensionKinds(route) ? condition(parents, ref, ns, RESOLVED_REFS) : null;
            if (resolved != null
                    && "False".equals(resolved.getStatus())
                    && (generation == null
                            || (resolved.getObservedGeneration() != null
                                    && resolved.getObservedGeneration() >= generation))) {
                // accepted, but a backendRef it cannot send to (a kind it does not implement, such as an
                // InferencePool, or a backend it cannot find): its requests to that backend fail
                return Optional.of(new Unaccepted(
                        name,
                        parent,
                        true,
                        "ResolvedRefs=False reason " + resolved.getReason()
                                + (resolved.getMessage() == null
                                                || resolved.getMessage().isBlank()
                                        ? ""
                                        : ": " + resolved.getMessage())));
            }
        }
        return Optional.empty();
    }

    /** Whether a backendRef of the route names an InferencePool or a TraefikService. */
    private static boolean routesToExtensionKinds(HTTPRoute route) {
        return route.getSpec().getRules() != null
                && route.getSpec().getRules().stream()
                        .filter(r -> r.getBackendRefs() != null)
                        .flatMap(r -> r.getBackendRefs().stream())
                        .anyMatch(b ->
                                (InferencePool.KIND.equals(b.getKind()) && InferencePool.GROUP.equals(b.getGroup()))
                                        || (TraefikService.KIND.equals(b.getKind())
                                                && TraefikService.GROUP.equals(b.getGroup())));
    }

    /** The parent's condition of that type, or null. */
    private static Condition condition(
            List<RouteParentStatus> parents, ParentReference ref, String routeNamespace, String type) {
        return parents.stream()
                .filter(p -> sameParent(p.getParentRef(), ref, routeNamespace))
                .flatMap(p -> p.getConditions() == null ? Stream.<Condition>empty() : p.getConditions().stream())
                .filter(c -> type.equals(c.getType()))
                .findFirst()
                .orElse(null);
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
