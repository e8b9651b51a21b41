package dev.fledge.operator.routing;

import dev.fledge.api.Labels;
import dev.fledge.api.ModelRelease;
import dev.fledge.core.rollout.Stage;
import dev.fledge.operator.workload.Applier;
import dev.fledge.operator.workload.Names;
import io.fabric8.kubernetes.api.model.Service;
import io.fabric8.kubernetes.api.model.gatewayapi.v1.HTTPBackendRef;
import io.fabric8.kubernetes.api.model.gatewayapi.v1.HTTPRoute;
import io.fabric8.kubernetes.api.model.gatewayapi.v1.HTTPRouteRule;
import io.fabric8.kubernetes.client.KubernetesClient;
import io.fabric8.kubernetes.client.KubernetesClientException;
import java.util.ArrayList;
import java.util.HashSet;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.Set;

/**
 * Sends every user of an invalid release back to stable (issue 14, review item 1). The spec is not valid, and its
 * routing section may be what is wrong (a typo in a parentRef, a renamed route), so nothing here reads
 * {@code spec.traffic}: only routing objects the release already owns are edited, and only where they point at the
 * canary. A backendRef to {@code <release>-canary} becomes one to {@code <release>-stable} (and a RequestMirror to
 * the canary is removed; on Traefik, a rule that names the release's TraefikService, which copies requests to the
 * canary, names the stable Service instead); an audience Service or the
 * public Service that selects canary pods selects stable ones. Nothing is created, renamed, re-parented or removed,
 * whatever router the spec names; the router applies its own objects again once the spec is valid. (A route outside
 * the operator's route limits is deleted before, by {@link RoutesOutsideLimits}.)
 */
public final class StableRetreat {
    private final KubernetesClient client;
    private final OwnedRouting owned;
    private final Applier applier;

    public StableRetreat(KubernetesClient client, Applier applier) {
        this.client = client;
        this.owned = new OwnedRouting(client);
        this.applier = applier;
    }

    /** The public Service {@code <release>} if the release owns it, else null. */
    public Service publicService(ModelRelease mr) {
        Service s = client.services()
                .inNamespace(mr.getMetadata().getNamespace())
                .withName(Names.publicService(mr))
                .get();
        return s != null && OwnedRouting.controlledBy(s, mr.getMetadata().getUid()) ? s : null;
    }

    /** Whether a Service selects canary pods: it names the canary track, or no track at all (both). */
    public static boolean selectsCanary(Service s) {
        Map<String, String> selector = s.getSpec().getSelector();
        return selector != null && !Labels.TRACK_STABLE.equals(selector.get(Labels.TRACK));
    }

    /**
     * Points the release's own routes and Services at stable; with {@code holdPublic} the public Service is left as it
     * is (it keeps canary pods while stable grows, {@code CanaryDrain}). Returns what could not be done, empty when
     * every owned object now sends its users to stable.
     */
    public Optional<String> apply(ModelRelease mr, boolean holdPublic) {
        List<String> failed = new ArrayList<>();
        try {
            for (HTTPRoute route : owned.of(mr, HTTPRoute.class)) {
                boolean changed = offTraefikMirror(mr, route, failed);
                if (toStable(mr, route) || changed) {
                    write(() -> client.resource(route).lockResourceVersion().update(), route, failed);
                }
            }
        } catch (KubernetesClientException e) {
            failed.add("listing HTTPRoutes: " + e.getMessage());
        }
        Set<String> names = new HashSet<>();
        Stage.AUDIENCES.forEach(s -> names.add(Names.audienceService(mr, s.wireName())));
        if (!holdPublic) {
            names.add(Names.publicService(mr));
        }
        try {
            for (Service service : owned.of(mr, Service.class)) {
                if (names.contains(service.getMetadata().getName()) && selectsCanary(service)) {
                    Map<String, String> selector =
                            new LinkedHashMap<>(service.getSpec().getSelector());
                    selector.put(Labels.TRACK, Labels.TRACK_STABLE);
                    service.getSpec().setSelector(selector);
                    write(() -> client.resource(service).lockResourceVersion().update(), service, failed);
                }
            }
        } catch (KubernetesClientException e) {
            failed.add("listing Services: " + e.getMessage());
        }
        return failed.isEmpty()
                ? Optional.empty()
                : Optional.of("could not send every user back to stable (retried soon): " + String.join("; ", failed));
    }

    /**
     * Rewrites every rule that reaches the canary to reach stable alone, and takes out its RequestMirror to the canary;
     * whether anything changed.
     */
    private static boolean toStable(ModelRelease mr, HTTPRoute route) {
        String canary = Names.trackService(mr, Labels.TRACK_CANARY);
        String stable = Names.trackService(mr, Labels.TRACK_STABLE);
        boolean changed = false;
        for (HTTPRouteRule rule : route.getSpec().getRules()) {
            // the shadow stage's copies of users' requests to the canary stop too
            if (rule.getFilters() != null
                    && rule.getFilters()
                            .removeIf(f -> f.getRequestMirror() != null
                                    && f.getRequestMirror().getBackendRef() != null
                                    && canary.equals(
                                            f.getRequestMirror().getBackendRef().getName()))) {
                changed = true;
            }
            List<HTTPBackendRef> refs = rule.getBackendRefs();
            if (refs == null || refs.stream().noneMatch(r -> canary.equals(r.getName()))) {
                continue;
            }
            HTTPBackendRef kept = refs.stream()
                    .filter(r -> stable.equals(r.getName()))
                    .findFirst()
                    .orElse(refs.stream()
                            .filter(r -> canary.equals(r.getName()))
                            .findFirst()
                            .orElseThrow());
            kept.setName(stable);
            kept.setWeight(1);
            rule.setBackendRefs(new ArrayList<>(List.of(kept)));
            changed = true;
        }
        return changed;
    }

    /**
     * On Traefik the shadow stage's rules name the release's TraefikServices ({@link TraefikMirror}), which copy
     * requests to the canary, and which Traefik may fail to build without the canary's endpoints: each such rule sends
     * to the stable track Service instead, at the port of that Service; whether a rule changed.
     */
    private boolean offTraefikMirror(ModelRelease mr, HTTPRoute route, List<String> failed) {
        boolean changed = false;
        for (HTTPRouteRule rule : route.getSpec().getRules()) {
            if (rule.getBackendRefs() == null
                    || rule.getBackendRefs().stream().noneMatch(ref -> TraefikMirror.names(mr, ref))) {
                continue;
            }
            String stable = Names.trackService(mr, Labels.TRACK_STABLE);
            Integer port = stablePort(mr, rule, stable);
            if (port == null) {
                failed.add("HTTPRoute " + route.getMetadata().getName() + " names a TraefikService, and neither it nor"
                        + " the release's Services " + stable + " and " + Names.publicService(mr) + " could say the"
                        + " port to send its users to instead");
                continue;
            }
            HTTPBackendRef ref = new HTTPBackendRef();
            ref.setGroup("");
            ref.setKind("Service");
            ref.setName(stable);
            ref.setPort(port);
            ref.setWeight(1);
            rule.setBackendRefs(new ArrayList<>(List.of(ref)));
            changed = true;
        }
        return changed;
    }

    /**
     * The port of the stable track Service: the one the release's TraefikService that the rule names sends to, else
     * that Service's own, else the public Service's (the same port, {@code DesiredService}); null when none of them is
     * the release's or could be read.
     */
    private Integer stablePort(ModelRelease mr, HTTPRouteRule rule, String stable) {
        String ns = mr.getMetadata().getNamespace();
        for (HTTPBackendRef named : rule.getBackendRefs()) {
            if (!TraefikMirror.names(mr, named)) {
                continue;
            }
            try {
                TraefikService ts = client.resources(TraefikService.class)
                        .inNamespace(ns)
                        .withName(named.getName())
                        .get();
                if (ts != null
                        && OwnedRouting.controlledBy(ts, mr.getMetadata().getUid())
                        && ts.getSpec() != null
                        && ts.getSpec().get("mirroring") instanceof Map<?, ?> mirroring
                        && stable.equals(mirroring.get("name"))
                        && mirroring.get("port") instanceof Integer port) {
                    return port;
                }
            } catch (KubernetesClientException e) {
                // gone with its CRD, or RBAC: the Services say the port too
            }
        }
        for (String name : List.of(stable, Names.publicService(mr))) {
            try {
                Service service =
                        client.services().inNamespace(ns).withName(name).get();
                if (service != null
                        && OwnedRouting.controlledBy(service, mr.getMetadata().getUid())
                        && service.getSpec().getPorts() != null
                        && !service.getSpec().getPorts().isEmpty()) {
                    return service.getSpec().getPorts().get(0).getPort();
                }
            } catch (KubernetesClientException e) {
                // the next one, or none
            }
        }
        return null;
    }

    private void write(Runnable update, io.fabric8.kubernetes.api.model.HasMetadata o, List<String> failed) {
        try {
            update.run(); // conditional on the resourceVersion read: a 409 is retried with what is there then
        } catch (KubernetesClientException e) {
            failed.add(o.getKind() + "/" + o.getMetadata().getName() + ": " + e.getMessage());
        }
        applier.forget(o); // the router writes its own version of this object again once the spec is valid
    }
}
