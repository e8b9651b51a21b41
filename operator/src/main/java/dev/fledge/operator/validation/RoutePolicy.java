package dev.fledge.operator.validation;

import dev.fledge.api.KubeNames;
import dev.fledge.api.ModelRelease;
import dev.fledge.api.spec.AudienceRouteSpec;
import dev.fledge.api.spec.GatewayApiSpec;
import dev.fledge.api.spec.ParentReference;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import java.util.function.Consumer;

/**
 * Which Gateways a release's HTTPRoutes may attach to and which hostnames they may claim, operator-wide. The operator
 * writes HTTPRoutes for tenants that may not write them themselves, so without this a tenant could attach a route to
 * any Gateway that admits its namespace and claim another tenant's hostname there (an exact hostname wins over a
 * route without one). Pure.
 *
 * <p>A parentRef entry is {@code <namespace>/<name>}; a hostname entry is a hostname, optionally {@code *.}-prefixed
 * (any name below it). In both, {@value #OWN_NAMESPACE} stands for the release's namespace, and {@code *} for any
 * namespace or Gateway name. An empty list allows anything (the behaviour before these settings). With hostnames set,
 * every route must name its own: the public one ({@code gatewayAPI.hostnames}) and an audience's own route
 * ({@code gatewayAPI.<audience>.hostnames}, when it has {@code parentRefs}), since a route without any claims every
 * host of its listeners.
 *
 * <p>{@code inferencePools}: whether a release may route to InferencePools ({@code gatewayAPI.inferencePool}). Off
 * unless the platform turns it on ({@value #POOLS_SETTING}): the release's namespace then names the endpoint picker
 * that tells the Gateway where each of its requests goes (docs/security.md).
 *
 * @param allowedParentRefs {@code namespace/name} patterns; empty means any Gateway
 * @param allowedHostnames  hostname patterns; empty means any hostname, and none required
 * @param inferencePools    whether {@code gatewayAPI.inferencePool} is allowed
 */
public record RoutePolicy(List<String> allowedParentRefs, List<String> allowedHostnames, boolean inferencePools) {
    /** The operator setting that allows InferencePools. */
    public static final String POOLS_SETTING = "fledge.routing.inference-pools.enabled";

    /** Stands for the release's namespace in an entry. */
    public static final String OWN_NAMESPACE = "{namespace}";

    private static final String BASE = "spec.traffic.gatewayAPI";

    /** Route limits without InferencePools. */
    public RoutePolicy(List<String> allowedParentRefs, List<String> allowedHostnames) {
        this(allowedParentRefs, allowedHostnames, false);
    }

    public RoutePolicy {
        allowedParentRefs = SettingList.entries(allowedParentRefs);
        allowedHostnames = SettingList.entries(allowedHostnames);
        for (String p : allowedParentRefs) {
            String[] parts = p.split("/", -1);
            if (parts.length != 2 || parts[0].isEmpty() || parts[1].isEmpty()) {
                throw new IllegalArgumentException("fledge.routing.allowed-parent-refs: " + p
                        + " is not <namespace>/<name> (" + OWN_NAMESPACE + " and * allowed)");
            }
        }
        for (String h : allowedHostnames) {
            if (h.equals("*") || h.substring(h.startsWith("*.") ? 2 : 0).contains("*")) {
                throw new IllegalArgumentException("fledge.routing.allowed-hostnames: " + h
                        + " is not a hostname or *.<hostname> (" + OWN_NAMESPACE + " allowed)");
            }
        }
    }

    /**
     * Whether a parentRef's name (and namespace, if set) are Kubernetes names, as the schema requires: the only names the
     * operator reads a Gateway by. An empty namespace is not one (the HTTPRoute's schema refuses it too).
     */
    public static boolean wellFormed(ParentReference ref) {
        return KubeNames.isObjectName(ref.getName())
                && (ref.getNamespace() == null || KubeNames.isNamespace(ref.getNamespace()));
    }

    /** No limit: any Gateway, any hostname, InferencePools allowed. */
    public static RoutePolicy any() {
        return new RoutePolicy(List.of(), List.of(), true);
    }

    public void check(ModelRelease mr, GatewayApiSpec spec, Consumer<String> errors) {
        if (spec == null) {
            return;
        }
        String namespace = mr.getMetadata().getNamespace();
        parents(namespace, BASE + ".parentRefs", spec.getParentRefs(), errors);
        hostnames(namespace, BASE + ".hostnames", spec.getHostnames(), errors);
        if (!allowedHostnames.isEmpty()
                && (spec.getHostnames() == null || spec.getHostnames().isEmpty())) {
            errors.accept(BASE + ".hostnames: required by this operator (allowed: "
                    + shown(allowedHostnames, namespace)
                    + "): a route without hostnames claims every host of its listeners");
        }
        audience(namespace, "internal", spec.getInternal(), errors);
        audience(namespace, "closed", spec.getClosed(), errors);
        if (spec.getInferencePool() != null && !inferencePools) {
            errors.accept(BASE + ".inferencePool: not enabled on this operator (setting " + POOLS_SETTING
                    + ", chart value operator.routing.inferencePools): the release's namespace would run the endpoint"
                    + " picker that tells the Gateway where each request goes (docs/security.md)");
        }
    }

    private void audience(String namespace, String name, AudienceRouteSpec a, Consumer<String> errors) {
        if (a == null) {
            return;
        }
        parents(namespace, BASE + "." + name + ".parentRefs", a.getParentRefs(), errors);
        hostnames(namespace, BASE + "." + name + ".hostnames", a.getHostnames(), errors);
        boolean ownRoute = a.getParentRefs() != null && !a.getParentRefs().isEmpty();
        if (!allowedHostnames.isEmpty()
                && ownRoute
                && (a.getHostnames() == null || a.getHostnames().isEmpty())) {
            errors.accept(BASE + "." + name + ".hostnames: required by this operator when the " + name
                    + " audience has its own route (allowed: " + shown(allowedHostnames, namespace)
                    + "): a route without hostnames claims every host of its listeners");
        }
    }

    private void parents(String namespace, String field, List<ParentReference> refs, Consumer<String> errors) {
        if (refs == null) {
            return;
        }
        for (int i = 0; i < refs.size(); i++) {
            ParentReference ref = refs.get(i);
            if (ref == null || ref.getName() == null) {
                continue; // the schema requires the name
            }
            if (!wellFormed(ref)) {
                // the schema refuses these since 2026-12-07; a release stored before is refused here, and its Gateway
                // is never read by a name that could carry a path
                errors.accept(field + "[" + i + "]: Gateway name \"" + ref.getName() + "\""
                        + (ref.getNamespace() == null ? "" : " in namespace \"" + ref.getNamespace() + "\"")
                        + " is not a Kubernetes name (lower case letters, digits, '-' and, in a name, '.'; starting"
                        + " and ending with a letter or digit)");
                continue;
            }
            if (allowedParentRefs.isEmpty()) {
                continue;
            }
            String ns = ref.getNamespace() == null ? namespace : ref.getNamespace(); // a blank one is not wellFormed
            if (allowedParentRefs.stream().noneMatch(p -> parentMatches(p, namespace, ns, ref.getName()))) {
                errors.accept(field + "[" + i + "]: Gateway " + ns + "/" + ref.getName()
                        + " is not allowed by this operator (allowed: " + shown(allowedParentRefs, namespace) + ")");
            }
        }
    }

    private void hostnames(String namespace, String field, List<String> names, Consumer<String> errors) {
        if (names == null || allowedHostnames.isEmpty()) {
            return;
        }
        for (int i = 0; i < names.size(); i++) {
            String h = names.get(i);
            if (h == null) {
                continue;
            }
            if (allowedHostnames.stream().noneMatch(p -> hostnameMatches(p, namespace, h))) {
                errors.accept(field + "[" + i + "]: " + h + " is not allowed by this operator (allowed: "
                        + shown(allowedHostnames, namespace) + ")");
            }
        }
    }

    /** Whether any limit is set (otherwise every route lies within them). */
    public boolean limits() {
        return !allowedParentRefs.isEmpty() || !allowedHostnames.isEmpty();
    }

    /**
     * What of a route already in the cluster lies outside the limits, for a release in {@code namespace}: each Gateway
     * ({@code namespace/name}) and hostname not allowed, and no hostnames at all where hostnames are limited (such a
     * route claims every host of its listeners). Empty when it lies within them.
     */
    public List<String> outside(String namespace, List<String> gateways, List<String> hostnames) {
        List<String> out = new ArrayList<>();
        if (!allowedParentRefs.isEmpty()) {
            for (String g : gateways) {
                String[] parts = g.split("/", 2);
                if (allowedParentRefs.stream().noneMatch(p -> parentMatches(p, namespace, parts[0], parts[1]))) {
                    out.add("Gateway " + g + " is not allowed (allowed: " + shown(allowedParentRefs, namespace) + ")");
                }
            }
        }
        if (!allowedHostnames.isEmpty()) {
            if (hostnames.isEmpty()) {
                out.add("it names no hostname, so it claims every host of its listeners (allowed: "
                        + shown(allowedHostnames, namespace) + ")");
            }
            for (String h : hostnames) {
                if (allowedHostnames.stream().noneMatch(p -> hostnameMatches(p, namespace, h))) {
                    out.add("hostname " + h + " is not allowed (allowed: " + shown(allowedHostnames, namespace) + ")");
                }
            }
        }
        return out;
    }

    static boolean parentMatches(String pattern, String ownNamespace, String namespace, String name) {
        String[] parts = pattern.split("/", -1);
        String ns = parts[0].replace(OWN_NAMESPACE, ownNamespace);
        String gateway = parts[1].replace(OWN_NAMESPACE, ownNamespace);
        return (ns.equals("*") || ns.equals(namespace)) && (gateway.equals("*") || gateway.equals(name));
    }

    /**
     * Whether route hostname {@code host} lies within {@code pattern}: equal to it, or, for {@code *.suffix}, any name
     * below the suffix (a wildcard route hostname {@code *.x.suffix} or {@code *.suffix} included).
     */
    static boolean hostnameMatches(String pattern, String ownNamespace, String host) {
        String p = pattern.replace(OWN_NAMESPACE, ownNamespace).toLowerCase(Locale.ROOT);
        String h = host.strip().toLowerCase(Locale.ROOT);
        if (!p.startsWith("*.")) {
            return p.equals(h);
        }
        String suffix = p.substring(1); // ".suffix"
        return h.endsWith(suffix) && h.length() > suffix.length();
    }

    private static String shown(List<String> patterns, String namespace) {
        return String.join(
                ", ",
                patterns.stream().map(p -> p.replace(OWN_NAMESPACE, namespace)).toList());
    }
}
