package dev.fledge.e2e.local;

import dev.fledge.api.Labels;
import dev.fledge.api.ModelRelease;
import dev.fledge.api.spec.Router;
import dev.fledge.operator.routing.Routers;
import io.fabric8.kubernetes.api.model.Service;
import io.fabric8.kubernetes.api.model.gatewayapi.v1.HTTPBackendRef;
import io.fabric8.kubernetes.api.model.gatewayapi.v1.HTTPRoute;
import io.fabric8.kubernetes.api.model.gatewayapi.v1.HTTPRouteFilter;
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
 * and the replica counts (replicas), and a rule's {@code RequestMirror} filter with its {@code percent}. It never
 * looks at the ModelRelease status.
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

    /**
     * Where a request of {@code audience} goes: the pod that answers it, if any is ready, and the pod that gets a
     * mirrored copy of it (its answer goes to no one), if the matched rule has a {@code RequestMirror} filter whose
     * {@code percent} (100 when unset) picked this request.
     */
    record Picked(Optional<LocalKubelet.Pod> pod, Optional<LocalKubelet.Pod> mirror) {
        static final Picked NONE = new Picked(Optional.empty(), Optional.empty());
    }

    /** The pod that would serve a request of {@code audience}, if any is ready. */
    Optional<LocalKubelet.Pod> pick(String audience, Random random) {
        return route(audience, random).pod();
    }

    /** The pod that would serve a request of {@code audience}, and the one its mirrored copy would reach. */
    Picked route(String audience, Random random) {
        ModelRelease mr = client.resources(ModelRelease.class)
                .inNamespace(namespace)
                .withName(release)
                .get();
        if (mr == null) {
            return Picked.NONE;
        }
        if (Routers.kind(mr) != Router.GATEWAY_API) {
            return new Picked(
                    viaService("public".equals(audience) ? release : release + "-" + audience, random),
                    Optional.empty());
        }
        HTTPRouteRule rule = matchedRule(mr, audience);
        if (rule == null) {
            return Picked.NONE;
        }
        String service = weighted(rule.getBackendRefs(), random);
        Optional<LocalKubelet.Pod> mirror = Optional.empty();
        if (rule.getFilters() != null) {
            for (HTTPRouteFilter f : rule.getFilters()) {
                if ("RequestMirror".equals(f.getType()) && f.getRequestMirror() != null) {
                    Integer percent = f.getRequestMirror().getPercent();
                    if (random.nextInt(100) < (percent == null ? 100 : percent)) {
                        mirror = viaService(f.getRequestMirror().getBackendRef().getName(), random);
                    }
                }
            }
        }
        return new Picked(service == null ? Optional.empty() : viaService(service, random), mirror);
    }

    private Optional<LocalKubelet.Pod> viaService(String service, Random random) {
        Service svc = client.services().inNamespace(namespace).withName(service).get();
        if (svc == null) {
            return Optional.empty();
        }
        return podFor(svc.getSpec().getSelector(), random);
    }

    private HTTPRouteRule matchedRule(ModelRelease mr, String audience) {
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
                return rule;
            }
        }
        return fallback;
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
