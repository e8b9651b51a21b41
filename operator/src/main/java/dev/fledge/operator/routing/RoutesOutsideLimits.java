package dev.fledge.operator.routing;

import dev.fledge.api.ModelRelease;
import dev.fledge.operator.validation.RoutePolicy;
import dev.fledge.operator.workload.Applier;
import io.fabric8.kubernetes.api.model.gatewayapi.v1.HTTPRoute;
import io.fabric8.kubernetes.api.model.gatewayapi.v1.ParentReference;
import io.fabric8.kubernetes.client.KubernetesClient;
import io.fabric8.kubernetes.client.KubernetesClientException;
import java.util.ArrayList;
import java.util.List;
import org.jboss.logging.Logger;

/**
 * Deletes the HTTPRoutes an invalid release owns that lie outside the operator's route limits ({@link RoutePolicy}):
 * secreview 8, finding 1. A release whose spec breaks the limits is {@code Invalid}, and an invalid release's routes are
 * otherwise only pointed at stable ({@link StableRetreat}); so a route made before the admin set the limits would keep
 * its Gateway and keep claiming its hostname. It is the route that claims the hostname, so it goes: its users get 404
 * from the Gateway until the spec is within the limits and the router writes the routes again. What is checked is the
 * route as it is in the cluster (its {@code parentRefs} and {@code hostnames}), not the spec, which may be what is
 * wrong. Routes within the limits are left to {@link StableRetreat}; routes the release does not control are never
 * touched ({@link OwnedRouting}); the delete is conditional on the resourceVersion read. Nothing is listed when no
 * limit is set.
 */
public final class RoutesOutsideLimits {
    private static final Logger LOG = Logger.getLogger(RoutesOutsideLimits.class);

    private final RoutePolicy policy;
    private final OwnedRouting owned;
    private final KubernetesClient client;
    private final Applier applier;

    public RoutesOutsideLimits(KubernetesClient client, Applier applier, RoutePolicy policy) {
        this.client = client;
        this.owned = new OwnedRouting(client);
        this.applier = applier;
        this.policy = policy;
    }

    /** No limits: never lists nor deletes anything. */
    public static RoutesOutsideLimits none() {
        return new RoutesOutsideLimits(null, null, RoutePolicy.any());
    }

    /**
     * Deletes the release's own HTTPRoutes outside the limits. Returns one line per route deleted, or that could not
     * be (retried at the release's next reconcile), for a Warning event each; empty when every route it owns lies
     * within the limits.
     */
    public List<String> remove(ModelRelease mr) {
        if (!policy.limits()) {
            return List.of();
        }
        String namespace = mr.getMetadata().getNamespace();
        List<String> out = new ArrayList<>();
        List<HTTPRoute> routes;
        try {
            routes = owned.of(mr, HTTPRoute.class);
        } catch (KubernetesClientException e) {
            return List.of("could not list the release's HTTPRoutes to remove those outside the operator's route"
                    + " limits (retried at the next reconcile): " + e.getMessage());
        }
        for (HTTPRoute route : routes) {
            List<String> why = policy.outside(namespace, gateways(route, namespace), hostnames(route));
            if (why.isEmpty()) {
                continue;
            }
            String what = "HTTPRoute " + namespace + "/" + route.getMetadata().getName();
            try {
                client.resource(route).lockResourceVersion().delete();
            } catch (KubernetesClientException e) {
                if (e.getCode() != 404) {
                    out.add("could not delete " + what + ", which lies outside the operator's route limits ("
                            + String.join("; ", why) + "), retried at the next reconcile: " + e.getMessage());
                    continue;
                }
            }
            applier.forget(route);
            LOG.infof("%s: deleted, outside the operator's route limits: %s", what, String.join("; ", why));
            out.add("deleted " + what + ": " + String.join("; ", why) + " (fledge.routing.allowed-parent-refs,"
                    + " fledge.routing.allowed-hostnames). Its users get 404 from the Gateway until the spec is"
                    + " within the limits and the routes are written again");
        }
        return out;
    }

    private static List<String> gateways(HTTPRoute route, String namespace) {
        List<ParentReference> refs =
                route.getSpec() == null ? null : route.getSpec().getParentRefs();
        if (refs == null) {
            return List.of();
        }
        return refs.stream()
                .map(p -> (p.getNamespace() == null || p.getNamespace().isBlank() ? namespace : p.getNamespace()) + "/"
                        + p.getName())
                .toList();
    }

    private static List<String> hostnames(HTTPRoute route) {
        List<String> names = route.getSpec() == null ? null : route.getSpec().getHostnames();
        return names == null ? List.of() : names;
    }
}
