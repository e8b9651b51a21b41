package dev.fledge.e2e.local;

import dev.fledge.api.Labels;
import dev.fledge.api.ModelRelease;
import dev.fledge.api.spec.Router;
import dev.fledge.operator.routing.Routers;
import io.fabric8.kubernetes.api.model.Service;
import io.fabric8.kubernetes.api.model.gatewayapi.v1.HTTPBackendRef;
import io.fabric8.kubernetes.api.model.gatewayapi.v1.HTTPRoute;
import io.fabric8.kubernetes.api.model.gatewayapi.v1.HTTPRouteRule;
import io.fabric8.kubernetes.client.KubernetesClient;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.Random;

/**
 * Test harness: plays the gateway and kube-proxy. It routes one request of an audience the way the objects the
 * operator wrote say: the HTTPRoute's header rules and weights (gatewayAPI), or the audience Services' selectors
 * and the replica counts (replicas). It never looks at the ModelRelease status.
 */
final class RouteFollower {
    private final KubernetesClient client;
    private final String namespace;
    private final String release;
    private final LocalKubelet kubelet;

    RouteFollower(KubernetesClient client, String namespace, String release, LocalKubelet kubelet) {
        this.client = client;
        this.namespace = namespace;
        this.release = release;
        this.kubelet = kubelet;
    }

    /** The pod that would serve a request of {@code audience}, if any is ready. */
    Optional<LocalKubelet.Pod> pick(String audience, Random random) {
        ModelRelease mr = client.resources(ModelRelease.class)
                .inNamespace(namespace)
                .withName(release)
                .get();
        if (mr == null) {
            return Optional.empty();
        }
        String service = Routers.kind(mr) == Router.GATEWAY_API
                ? viaHttpRoute(mr, audience, random)
                : "public".equals(audience) ? release : release + "-" + audience;
        if (service == null) {
            return Optional.empty();
        }
        Service svc = client.services().inNamespace(namespace).withName(service).get();
        if (svc == null) {
            return Optional.empty();
        }
        return podFor(svc.getSpec().getSelector(), random);
    }

    private String viaHttpRoute(ModelRelease mr, String audience, Random random) {
        var gw = mr.getSpec().getTraffic().getGatewayAPI();
        String name = gw.getHttpRoute() == null ? release : gw.getHttpRoute();
        HTTPRoute route = client.resources(HTTPRoute.class)
                .inNamespace(namespace)
                .withName(name)
                .get();
        if (route == null) {
            return null;
        }
        HTTPRouteRule fallback = null;
        for (HTTPRouteRule rule : route.getSpec().getRules()) {
            // the API server defaults a rule without matches to a PathPrefix "/" match: header-less rules catch all
            boolean headerRule = rule.getMatches() != null
                    && rule.getMatches().stream()
                            .anyMatch(m ->
                                    m.getHeaders() != null && !m.getHeaders().isEmpty());
            if (!headerRule) {
                fallback = rule;
            } else if (rule.getMatches().stream()
                    .anyMatch(m -> m.getHeaders() != null
                            && m.getHeaders().stream()
                                    .anyMatch(h -> Labels.AUDIENCE_HEADER.equalsIgnoreCase(h.getName())
                                            && audience.equals(h.getValue())))) {
                return weighted(rule.getBackendRefs(), random);
            }
        }
        return fallback == null ? null : weighted(fallback.getBackendRefs(), random);
    }

    private static String weighted(List<HTTPBackendRef> refs, Random random) {
        int total = refs.stream()
                .mapToInt(r -> r.getWeight() == null ? 1 : r.getWeight())
                .sum();
        if (total == 0) {
            return null;
        }
        int x = random.nextInt(total);
        for (HTTPBackendRef r : refs) {
            x -= r.getWeight() == null ? 1 : r.getWeight();
            if (x < 0) {
                return r.getName();
            }
        }
        return null;
    }

    private Optional<LocalKubelet.Pod> podFor(Map<String, String> selector, Random random) {
        String track = selector.get(Labels.TRACK);
        List<LocalKubelet.Pod> endpoints = new ArrayList<>();
        for (LocalKubelet.Pod p : kubelet.pods()) {
            if (p.ready()
                    && (track == null || track.equals(p.track()))
                    && p.deployment().startsWith(release + "-")) {
                for (int i = 0; i < p.replicas(); i++) {
                    endpoints.add(p);
                }
            }
        }
        return endpoints.isEmpty() ? Optional.empty() : Optional.of(endpoints.get(random.nextInt(endpoints.size())));
    }
}
