package dev.fledge.operator.routing;

import dev.fledge.api.ModelRelease;
import dev.fledge.api.spec.Router;
import dev.fledge.api.spec.TrafficSpec;
import dev.fledge.operator.k8s.OwnedObjects;

/** Picks the router of a release: gatewayAPI when set (or when traffic.gatewayAPI is given), otherwise replicas. */
public final class Routers {
    private final TrafficRouter gatewayApi;
    private final TrafficRouter replicas;
    private final StableRetreat retreat;
    private final RoutesOutsideLimits outsideLimits;
    private final OwnedObjects owned;

    /** Without route limits. */
    public Routers(TrafficRouter gatewayApi, TrafficRouter replicas, StableRetreat retreat) {
        this(gatewayApi, replicas, retreat, RoutesOutsideLimits.none());
    }

    public Routers(
            TrafficRouter gatewayApi,
            TrafficRouter replicas,
            StableRetreat retreat,
            RoutesOutsideLimits outsideLimits) {
        this(gatewayApi, replicas, retreat, outsideLimits, new OwnedObjects());
    }

    /** {@code owned}: the informers the routers' and workloads' appliers read, registered by the reconciler. */
    public Routers(
            TrafficRouter gatewayApi,
            TrafficRouter replicas,
            StableRetreat retreat,
            RoutesOutsideLimits outsideLimits,
            OwnedObjects owned) {
        this.owned = owned;
        this.gatewayApi = gatewayApi;
        this.replicas = replicas;
        this.retreat = retreat;
        this.outsideLimits = outsideLimits;
    }

    /** The informers of the Services and routes the operator makes, for the reconciler to register. */
    public OwnedObjects owned() {
        return owned;
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
