package dev.fledge.operator.routing;

import dev.fledge.api.Labels;
import dev.fledge.api.ModelRelease;
import dev.fledge.api.spec.AudienceRouteSpec;
import dev.fledge.api.spec.GatewayApiSpec;
import dev.fledge.api.spec.ParentReference;
import dev.fledge.core.rollout.Stage;
import dev.fledge.core.rollout.TrafficSplit;
import dev.fledge.operator.workload.Names;
import dev.fledge.operator.workload.Owned;
import dev.fledge.operator.workload.ServerDefaults;
import io.fabric8.kubernetes.api.model.gatewayapi.v1.BackendObjectReference;
import io.fabric8.kubernetes.api.model.gatewayapi.v1.HTTPBackendRef;
import io.fabric8.kubernetes.api.model.gatewayapi.v1.HTTPHeaderMatch;
import io.fabric8.kubernetes.api.model.gatewayapi.v1.HTTPPathMatch;
import io.fabric8.kubernetes.api.model.gatewayapi.v1.HTTPRequestMirrorFilter;
import io.fabric8.kubernetes.api.model.gatewayapi.v1.HTTPRoute;
import io.fabric8.kubernetes.api.model.gatewayapi.v1.HTTPRouteFilter;
import io.fabric8.kubernetes.api.model.gatewayapi.v1.HTTPRouteMatch;
import io.fabric8.kubernetes.api.model.gatewayapi.v1.HTTPRouteRule;
import io.fabric8.kubernetes.api.model.gatewayapi.v1.HTTPRouteSpec;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;

/**
 * Builds the desired HTTPRoutes of a release for a split (pure). Every rule matches only the model API paths
 * ({@link #MODEL_API_PATHS}: the OpenAI-style {@code /v1} paths and the tensor models' {@code /v2/models}), so a
 * Gateway never exposes {@code /metrics}, {@code /q/*} or {@code /v1/moderations}.
 * The default (public) rule removes every audience header before the request reaches a model server, and an
 * audience's own rule sets {@value Labels#AUDIENCE_HEADER} to that audience, so the server's metrics label traffic by
 * the rule that matched, never by what a client claimed (issue 15, findings 5 and 8). An audience with neither its own
 * route nor the header opt-in ({@link AudienceTrust}) gets no rule: its users are public. In the shadow stage the
 * rules of the audiences the split mirrors ({@link TrafficSplit#mirrors}) also copy that percent of their requests to
 * the canary track Service (RequestMirror with {@code percent}); the client gets stable's answer only. With {@code
 * inferencePool}, the weighted backendRefs name the tracks' InferencePools instead of their Services; the mirror still
 * goes to the canary's Service. On Traefik, which has no RequestMirror, a mirrored rule instead names its audience's
 * TraefikService ({@link TraefikMirror}) as its one backend.
 */
final class HttpRoutes {
    /** The model server's public port serves the same list (e2e {@code PublicPortServesTheRoutedPathsTest}). */
    static final List<String> MODEL_API_PATHS =
            List.of("/v1/completions", "/v1/chat/completions", "/v1/models", "/v1/feedback", "/v2/models");

    private static final String PUBLIC = "public";

    private final ServerDefaults defaults;

    HttpRoutes(ServerDefaults defaults) {
        this.defaults = defaults;
    }

    List<HTTPRoute> desired(ModelRelease mr, TrafficSplit split) {
        return desired(mr, split, InferencePools.used(mr));
    }

    /**
     * @param toPools whether the backendRefs name the tracks' InferencePools: false routes a release with {@code
     *     inferencePool} to its Services, while its pools could not be written
     */
    List<HTTPRoute> desired(ModelRelease mr, TrafficSplit split, boolean toPools) {
        return desired(mr, split, toPools, false);
    }

    /**
     * @param viaTraefik whether a mirrored rule names its audience's TraefikService instead of carrying a RequestMirror
     *     filter ({@link TraefikMirror}; the split sends no user to the canary then, so the rule's users all go to
     *     stable either way)
     */
    List<HTTPRoute> desired(ModelRelease mr, TrafficSplit split, boolean toPools, boolean viaTraefik) {
        GatewayApiSpec spec = mr.getSpec().getTraffic().getGatewayAPI();
        String name = spec.getHttpRoute() == null ? mr.getMetadata().getName() : spec.getHttpRoute();
        List<HTTPRouteRule> rules = new ArrayList<>();
        List<HTTPRoute> out = new ArrayList<>();
        for (Stage stage : Stage.AUDIENCES) {
            String audience = stage.wireName();
            AudienceRouteSpec a = audience(spec, audience);
            String backend = backend(mr, split, audience);
            if (AudienceTrust.ownRoute(a)) {
                HTTPRouteRule rule = rule(paths(null), List.of(ref(mr, backend, 1, toPools)));
                rule.setFilters(filters(mr, split, audience, AudienceHeaders.set(audience)));
                viaTraefik(mr, rule, audience, viaTraefik);
                out.add(route(
                        mr,
                        name + "-" + audience,
                        a.getParentRefs() != null ? a.getParentRefs() : spec.getParentRefs(),
                        a.getHostnames(),
                        List.of(rule),
                        audience));
            } else if (AudienceTrust.headerRule(spec, a)) {
                String header =
                        a != null && a.getHeader() != null ? a.getHeader().getName() : Labels.AUDIENCE_HEADER;
                String value =
                        a != null && a.getHeader() != null ? a.getHeader().getValue() : audience;
                HTTPHeaderMatch h = new HTTPHeaderMatch();
                h.setType("Exact");
                h.setName(header);
                h.setValue(value);
                HTTPRouteRule rule = rule(paths(h), List.of(ref(mr, backend, 1, toPools)));
                rule.setFilters(filters(mr, split, audience, AudienceHeaders.set(audience)));
                viaTraefik(mr, rule, audience, viaTraefik);
                rules.add(rule);
            }
        }
        int w = split.canaryRunning() ? split.publicCanaryWeight() : 0;
        HTTPRouteRule publicRule = rule(
                paths(null),
                List.of(
                        ref(mr, Names.trackService(mr, Labels.TRACK_STABLE), 100 - w, toPools),
                        ref(mr, Names.trackService(mr, Labels.TRACK_CANARY), w, toPools)));
        publicRule.setFilters(filters(mr, split, PUBLIC, AudienceHeaders.removeAll(spec)));
        viaTraefik(mr, publicRule, PUBLIC, viaTraefik);
        rules.add(publicRule);
        out.add(0, route(mr, name, spec.getParentRefs(), spec.getHostnames(), rules, null));
        return out;
    }

    /**
     * A rule's filters: its audience header filter, then, in the shadow stage, a RequestMirror of {@code audience}'s
     * share to the canary. The header filter comes first, so that the mirrored copy carries the audience the rule set
     * (the Gateway API applies a rule's filters in order).
     */
    private List<HTTPRouteFilter> filters(
            ModelRelease mr, TrafficSplit split, String audience, HTTPRouteFilter header) {
        int percent = split.mirrors(audience);
        if (percent <= 0) {
            return new ArrayList<>(List.of(header));
        }
        BackendObjectReference canary = new BackendObjectReference();
        canary.setGroup("");
        canary.setKind("Service");
        canary.setName(Names.trackService(mr, Labels.TRACK_CANARY));
        canary.setPort(defaults.port(mr.getSpec().getServer()));
        HTTPRequestMirrorFilter mirror = new HTTPRequestMirrorFilter();
        mirror.setBackendRef(canary);
        mirror.setPercent(percent);
        HTTPRouteFilter filter = new HTTPRouteFilter();
        filter.setType("RequestMirror");
        filter.setRequestMirror(mirror);
        return new ArrayList<>(List.of(header, filter));
    }

    /**
     * With {@code viaTraefik}, a rule that carries a RequestMirror loses it and names its audience's TraefikService,
     * which sends every request to stable and copies the same percent to the canary.
     */
    private static void viaTraefik(ModelRelease mr, HTTPRouteRule rule, String audience, boolean viaTraefik) {
        if (viaTraefik && rule.getFilters().removeIf(f -> f.getRequestMirror() != null)) {
            rule.setBackendRefs(List.of(TraefikMirror.ref(mr, audience)));
        }
    }

    /** One match per model API path, each with the header when given. */
    private static List<HTTPRouteMatch> paths(HTTPHeaderMatch header) {
        return MODEL_API_PATHS.stream()
                .map(p -> {
                    HTTPRouteMatch m = new HTTPRouteMatch();
                    HTTPPathMatch path = new HTTPPathMatch();
                    path.setType("PathPrefix");
                    path.setValue(p);
                    m.setPath(path);
                    if (header != null) {
                        m.setHeaders(List.of(header));
                    }
                    return m;
                })
                .toList();
    }

    static AudienceRouteSpec audience(GatewayApiSpec spec, String audience) {
        return Stage.INTERNAL.wireName().equals(audience) ? spec.getInternal() : spec.getClosed();
    }

    private static String backend(ModelRelease mr, TrafficSplit split, String audience) {
        return Names.trackService(
                mr,
                split.canaryRunning() && split.audienceOnCanary(audience) ? Labels.TRACK_CANARY : Labels.TRACK_STABLE);
    }

    /**
     * A weighted backendRef to a track by its name: its Service, or, {@code toPools}, its InferencePool of the same
     * name ({@link InferencePools}; a pool carries its own port).
     */
    private HTTPBackendRef ref(ModelRelease mr, String name, int weight, boolean toPools) {
        HTTPBackendRef ref = new HTTPBackendRef();
        if (toPools) {
            ref.setKind(InferencePool.KIND);
            ref.setGroup(InferencePool.GROUP);
        } else {
            ref.setKind("Service");
            ref.setGroup("");
            ref.setPort(defaults.port(mr.getSpec().getServer()));
        }
        ref.setName(name);
        ref.setWeight(weight);
        return ref;
    }

    private static HTTPRouteRule rule(List<HTTPRouteMatch> matches, List<HTTPBackendRef> refs) {
        HTTPRouteRule rule = new HTTPRouteRule();
        if (!matches.isEmpty()) {
            rule.setMatches(matches);
        }
        rule.setBackendRefs(refs);
        return rule;
    }

    private static HTTPRoute route(
            ModelRelease mr,
            String name,
            List<ParentReference> parents,
            List<String> hostnames,
            List<HTTPRouteRule> rules,
            String audience) {
        HTTPRoute route = new HTTPRoute();
        route.setMetadata(Owned.meta(mr, name, audience == null ? Map.of() : Map.of("fledge.dev/audience", audience)));
        HTTPRouteSpec spec = new HTTPRouteSpec();
        spec.setParentRefs(parents.stream().map(HttpRoutes::parent).toList());
        if (hostnames != null && !hostnames.isEmpty()) {
            spec.setHostnames(hostnames);
        }
        spec.setRules(rules);
        route.setSpec(spec);
        return route;
    }

    private static io.fabric8.kubernetes.api.model.gatewayapi.v1.ParentReference parent(ParentReference p) {
        var ref = new io.fabric8.kubernetes.api.model.gatewayapi.v1.ParentReference();
        ref.setGroup("gateway.networking.k8s.io");
        ref.setKind("Gateway");
        ref.setName(p.getName());
        ref.setNamespace(p.getNamespace());
        ref.setSectionName(p.getSectionName());
        return ref;
    }
}
