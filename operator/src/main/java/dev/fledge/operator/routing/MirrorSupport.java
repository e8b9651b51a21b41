package dev.fledge.operator.routing;

import io.fabric8.kubernetes.api.model.GenericKubernetesResource;
import io.fabric8.kubernetes.api.model.gatewayapi.v1.HTTPRequestMirrorFilter;
import io.fabric8.kubernetes.api.model.gatewayapi.v1.HTTPRoute;
import io.fabric8.kubernetes.api.model.gatewayapi.v1.HTTPRouteRule;
import io.fabric8.kubernetes.api.model.gatewayapi.v1.ParentReference;
import io.fabric8.kubernetes.client.KubernetesClient;
import io.fabric8.kubernetes.client.KubernetesClientException;
import java.util.ArrayList;
import java.util.HashSet;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.Set;

/**
 * Whether the Gateways a route names implement the RequestMirror it carries, by what each Gateway's GatewayClass says
 * its controller supports ({@code status.supportedFeatures}, Gateway API v1.2 and later). A Gateway that does not
 * implement the filter may fail every request of the rule rather than ignore it: Traefik v3.6 answers 500 to each
 * (seen on the cluster tier). So a class that lists its features without {@value #MIRROR} (and without
 * {@value #PERCENTAGE} for a mirror of a share) gets no mirror. So does one the operator may not read (403: RBAC
 * without the chart's {@code get gatewayclasses}) or that fails to answer: fail closed, asked again later. A class
 * that lists nothing (an implementation that does not publish its features) or a Gateway not found says nothing: the
 * mirror is written as before, and the docs ask for an implementation whose conformance lists the features. Traefik,
 * which lacks the features, mirrors through its TraefikService instead ({@link TraefikMirror}).
 */
final class MirrorSupport {
    static final String MIRROR = "HTTPRouteRequestMirror";
    static final String PERCENTAGE = "HTTPRouteRequestPercentageMirror";
    static final String GROUP = "gateway.networking.k8s.io";

    private final KubernetesClient client;
    private final boolean traefikMirror;

    /** {@code traefikMirror}: whether the platform said its Traefik can carry the mirror ({@link TraefikMirror}). */
    MirrorSupport(KubernetesClient client, boolean traefikMirror) {
        this.client = client;
        this.traefikMirror = traefikMirror;
    }

    /**
     * What the route's mirrors need from its Gateways, by their GatewayClasses; see {@link #check}: the reason when some
     * Gateway cannot carry them, else empty.
     */
    Optional<String> missing(HTTPRoute route) {
        return check(route).missing();
    }

    /**
     * How the route's mirrors can be carried: as RequestMirror filters when each Gateway of its parentRefs supports
     * what they need, or does not say; through a TraefikService ({@link TraefikMirror}) when every Gateway that lacks
     * the features (or, for Traefik, does not list any) is Traefik's ({@value TraefikMirror#CONTROLLER}), no other
     * Gateway serves the route and the platform turned on {@value TraefikMirror#SETTING};
     * otherwise not at all, with which Gateway lacks what. A read refused (403) or failed (but 404) is a refusal too
     * (asked again later).
     */
    Answer check(HTTPRoute route) {
        List<String> needed = needed(route);
        if (needed.isEmpty() || route.getSpec().getParentRefs() == null) {
            return Answer.FILTER;
        }
        Set<String> asked = new HashSet<>();
        List<String> traefik = new ArrayList<>();
        List<String> others = new ArrayList<>();
        for (ParentReference ref : route.getSpec().getParentRefs()) {
            if (ref.getKind() != null && !"Gateway".equals(ref.getKind())) {
                continue; // a mesh's Service parent: no GatewayClass to ask
            }
            String ns = ref.getNamespace() == null ? route.getMetadata().getNamespace() : ref.getNamespace();
            String gateway = ns + "/" + ref.getName();
            if (!asked.add(gateway)) {
                continue; // two sections (listeners) of one Gateway: one class to ask
            }
            try {
                GenericKubernetesResource gw = get("Gateway", ns, ref.getName());
                Object className = gw == null ? null : field(gw, "spec", "gatewayClassName");
                GenericKubernetesResource gc =
                        className == null ? null : get("GatewayClass", null, className.toString());
                Optional<Set<String>> supported = gc == null ? Optional.empty() : supportedFeatures(gc);
                Object controller = gc == null ? null : field(gc, "spec", "controllerName");
                List<String> lacking = needed.stream()
                        .filter(f -> supported.isPresent() && !supported.get().contains(f))
                        .toList();
                if (TraefikMirror.CONTROLLER.equals(controller) && (supported.isEmpty() || !lacking.isEmpty())) {
                    traefik.add(gateway); // an older Traefik that lists nothing has no RequestMirror either
                } else if (lacking.isEmpty()) {
                    others.add(gateway);
                } else {
                    return Answer.missing("Gateway " + gateway + " (GatewayClass " + className + ", controller "
                            + controller + ") does not list " + String.join(" or ", lacking)
                            + " in its GatewayClass's status.supportedFeatures: a Gateway that does not implement"
                            + " RequestMirror may fail every request of the rule (Traefik v3.6 answers 500)");
                }
            } catch (KubernetesClientException e) {
                if (e.getCode() == 404) {
                    continue; // gone: nothing serves the route there (the parentRefs check says so)
                }
                if (e.getCode() == 403) {
                    return Answer.missing("the operator may not read the Gateway " + gateway
                            + " or its GatewayClass to check that it implements RequestMirror (403; with watchNamespaces"
                            + " the chart grants get on gatewayclasses with rbac.gatewayClassReader, on by default)");
                }
                return Answer.missing("the GatewayClass of Gateway " + gateway
                        + " could not be read to check its RequestMirror support (" + e.getCode() + ": "
                        + e.getMessage() + ")");
            }
        }
        if (traefik.isEmpty()) {
            return Answer.FILTER;
        }
        if (!traefikMirror) {
            return Answer.missing(
                    "Gateways " + traefik + " are Traefik's, which has no RequestMirror filter (it answers"
                            + " 500 to every request of a rule with one); the operator mirrors through a TraefikService there"
                            + " once the platform turns on " + TraefikMirror.SETTING + " (chart value"
                            + " operator.routing.traefikMirror), for a Traefik whose kubernetesCRD provider runs with"
                            + " allowEmptyServices: true");
        }
        if (!others.isEmpty()) {
            return Answer.missing("Gateways " + traefik + " are Traefik's, which mirrors only through a TraefikService,"
                    + " and " + others + " are not, which cannot route to one: one route cannot mirror on both");
        }
        return Answer.TRAEFIK;
    }

    /**
     * How a route's mirrors are carried: as RequestMirror filters, through a TraefikService ({@code viaTraefik}), or
     * not at all ({@code missing} says why).
     */
    record Answer(boolean viaTraefik, Optional<String> missing) {
        static final Answer FILTER = new Answer(false, Optional.empty());
        static final Answer TRAEFIK = new Answer(true, Optional.empty());

        static Answer missing(String why) {
            return new Answer(false, Optional.of(why));
        }
    }

    private GenericKubernetesResource get(String kind, String ns, String name) {
        var resources = client.genericKubernetesResources(GROUP + "/v1", kind);
        return ns == null
                ? resources.withName(name).get()
                : resources.inNamespace(ns).withName(name).get();
    }

    /** The features the route's mirrors need: none without a mirror; the percentage one for a share below all. */
    static List<String> needed(HTTPRoute route) {
        Set<String> out = new LinkedHashSet<>();
        if (route.getSpec() == null || route.getSpec().getRules() == null) {
            return List.of();
        }
        for (HTTPRouteRule rule : route.getSpec().getRules()) {
            if (rule.getFilters() == null) {
                continue;
            }
            for (var f : rule.getFilters()) {
                HTTPRequestMirrorFilter m = f.getRequestMirror();
                if (m == null) {
                    continue;
                }
                out.add(MIRROR);
                var fraction = m.getFraction();
                boolean share = (m.getPercent() != null && m.getPercent() < 100)
                        || (fraction != null
                                && fraction.getNumerator() != null
                                && fraction.getNumerator()
                                        < (fraction.getDenominator() == null ? 100 : fraction.getDenominator()));
                if (share) {
                    out.add(PERCENTAGE);
                }
            }
        }
        return List.copyOf(out);
    }

    /**
     * The feature names a GatewayClass lists: {@code [{name: X}]} since Gateway API v1.2, {@code [X]} in v1.1's
     * experimental channel; empty when it lists none (it says nothing).
     */
    static Optional<Set<String>> supportedFeatures(GenericKubernetesResource gatewayClass) {
        Object features = field(gatewayClass, "status", "supportedFeatures");
        if (!(features instanceof List<?> list) || list.isEmpty()) {
            return Optional.empty();
        }
        List<String> names = new ArrayList<>();
        for (Object f : list) {
            if (f instanceof Map<?, ?> m && m.get("name") != null) {
                names.add(m.get("name").toString());
            } else if (f instanceof String s) {
                names.add(s);
            }
        }
        return Optional.of(Set.copyOf(names));
    }

    private static Object field(GenericKubernetesResource o, String top, String key) {
        return o.getAdditionalProperties().get(top) instanceof Map<?, ?> m ? m.get(key) : null;
    }
}
