package dev.fledge.operator.routing;

import dev.fledge.api.ModelRelease;
import dev.fledge.api.spec.Router;
import dev.fledge.api.spec.TrafficSpec;

/** Picks the router of a release: gatewayAPI when set (or when traffic.gatewayAPI is given), otherwise replicas. */
public final class Routers {
    private final TrafficRouter gatewayApi;
    private final TrafficRouter replicas;
    private final StableRetreat retreat;
    private final RoutesOutsideLimits outsideLimits;
    private final RouteInformer routeInformer;

    /** Without route limits. */
    public Routers(TrafficRouter gatewayApi, TrafficRouter replicas, StableRetreat retreat) {
        this(gatewayApi, replicas, retreat, RoutesOutsideLimits.none());
    }

    public Routers(
            TrafficRouter gatewayApi,
            TrafficRouter replicas,
            StableRetreat retreat,
            RoutesOutsideLimits outsideLimits) {
        this(gatewayApi, replicas, retreat, outsideLimits, new RouteInformer());
    }

    /** {@code routeInformer}: the one the gatewayAPI router reads, registered by the reconciler. */
    public Routers(
            TrafficRouter gatewayApi,
            TrafficRouter replicas,
            StableRetreat retreat,
            RoutesOutsideLimits outsideLimits,
            RouteInformer routeInformer) {
        this.routeInformer = routeInformer;
        this.gatewayApi = gatewayApi;
        this.replicas = replicas;
        this.retreat = retreat;
        this.outsideLimits = outsideLimits;
    }

    /** The informer of the routes the gatewayAPI router reads, for the reconciler to register. */
    public RouteInformer routeInformer() {
        return routeInformer;
    }

    /** Deletes an invalid release's own routes that lie outside the operator's route limits. */
    public RoutesOutsideLimits outsideLimits() {
        return outsideLimits;
    }

    /** Sends the users of an invalid release back to stable without reading its spec's routing section. */
    public StableRetreat retreat() {
        return retreat;
    }

    /** The release is gone: what a router kept for it goes too. */
    public void forget(ModelRelease release) {
        gatewayApi.forget(release);
    }

    public TrafficRouter forRelease(ModelRelease release) {
        return kind(release) == Router.GATEWAY_API ? gatewayApi : replicas;
    }

    public static Router kind(ModelRelease release) {
        TrafficSpec t = release.getSpec().getTraffic();
        if (t == null) {
            return Router.REPLICAS;
        }
        if (t.getRouter() != null) {
            return t.getRouter();
        }
        return t.getGatewayAPI() != null ? Router.GATEWAY_API : Router.REPLICAS;
    }
}
