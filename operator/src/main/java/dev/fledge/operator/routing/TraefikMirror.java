package dev.fledge.operator.routing;

import dev.fledge.api.Labels;
import dev.fledge.api.ModelRelease;
import dev.fledge.core.rollout.TrafficSplit;
import dev.fledge.operator.workload.Applier;
import dev.fledge.operator.workload.Names;
import dev.fledge.operator.workload.Owned;
import dev.fledge.operator.workload.ServerDefaults;
import io.fabric8.kubernetes.api.model.gatewayapi.v1.HTTPBackendRef;
import io.fabric8.kubernetes.api.model.gatewayapi.v1.HTTPRoute;
import io.fabric8.kubernetes.client.KubernetesClientException;
import java.util.ArrayList;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.Optional;
import java.util.Set;

/**
 * The shadow stage's mirror on Traefik, which implements no RequestMirror filter (its GatewayClass does not list
 * {@code HTTPRouteRequestMirror}, and it answers 500 to every request of a rule that has one). Traefik mirrors through
 * its own TraefikService instead ({@code mirroring}: a Service that answers, and Services that get a percent of copies),
 * which an HTTPRoute rule may name as its backend by Traefik's cross-provider reference
 * {@code <namespace>-<name>@kubernetescrd}. So a mirrored audience's rule names the TraefikService
 * {@code <release>-mirror-<audience>-<uid>} ({@link #name}), which sends every request to the stable track Service and copies the split's
 * percent to the canary track Service; the rule's header filter runs first, so the copy carries the audience the rule
 * set, as with RequestMirror. This needs Traefik's kubernetesCRD provider (on in Traefik's Helm chart) and its CRDs.
 *
 * <p>The TraefikServices are written before the routes that name them, and left in place when the stage ends: the
 * routes stop naming them then, and a TraefikService deleted while Traefik still routes to it would fail those
 * requests. The release owns them, so they go with it; the next shadow stage writes them again.
 */
final class TraefikMirror {
    /** The GatewayClass controllerName of Traefik's Gateway API provider. */
    static final String CONTROLLER = "traefik.io/gateway-controller";

    private static final String PROVIDER = "@kubernetescrd";

    private final Applier applier;
    private final ServerDefaults defaults;

    TraefikMirror(Applier applier, ServerDefaults defaults) {
        this.applier = applier;
        this.defaults = defaults;
    }

    /**
     * The TraefikService that mirrors {@code audience}'s rule: {@code <release>-mirror-<audience>-<release uid>}.
     * Traefik names it {@code <namespace>-<name>} whatever the namespace, so without the uid a release {@code b-c} in
     * namespace {@code a} would make the same name as a release {@code c} in namespace {@code a-b}, and Traefik would
     * send the second one's users to whichever it read last: another tenant's model. A uid is the API server's, so
     * no release can be made to match another's.
     */
    static String name(ModelRelease mr, String audience) {
        String uid = mr.getMetadata().getUid();
        return mr.getMetadata().getName() + "-mirror-" + audience + (uid == null ? "" : "-" + uid);
    }

    /** The backendRef of a mirrored rule: the TraefikService of its audience, by Traefik's cross-provider name. */
    static HTTPBackendRef ref(ModelRelease mr, String audience) {
        HTTPBackendRef ref = new HTTPBackendRef();
        ref.setGroup(TraefikService.GROUP);
        ref.setKind(TraefikService.KIND);
        ref.setName(mr.getMetadata().getNamespace() + "-" + name(mr, audience) + PROVIDER);
        ref.setWeight(1); // what the API server defaults it to: the route's drift check compares weights
        return ref;
    }

    /** Whether {@code ref} names one of the release's mirroring TraefikServices (any audience). */
    static boolean names(ModelRelease mr, HTTPBackendRef ref) {
        return TraefikService.KIND.equals(ref.getKind())
                && TraefikService.GROUP.equals(ref.getGroup())
                && ref.getName() != null
                && ref.getName()
                        .startsWith(mr.getMetadata().getNamespace() + "-"
                                + mr.getMetadata().getName() + "-mirror-")
                && ref.getName().endsWith(PROVIDER);
    }

    /** The TraefikServices that {@code routes} name, for the split's percents (pure). */
    List<TraefikService> desired(ModelRelease mr, TrafficSplit split, List<HTTPRoute> routes) {
        Set<String> named = new LinkedHashSet<>();
        for (HTTPRoute route : routes) {
            route.getSpec()
                    .getRules()
                    .forEach(rule -> rule.getBackendRefs().stream()
                            .filter(r -> TraefikService.KIND.equals(r.getKind()))
                            .forEach(r -> named.add(r.getName())));
        }
        int port = defaults.port(mr.getSpec().getServer());
        List<TraefikService> out = new ArrayList<>();
        for (String audience : List.of("public", "internal", "closed")) {
            if (named.contains(ref(mr, audience).getName()) && split.mirrors(audience) > 0) {
                TraefikService s = new TraefikService();
                s.setMetadata(Owned.meta(mr, name(mr, audience), Map.of("fledge.dev/audience", audience)));
                s.setSpec(new TraefikService.Spec(new TraefikService.Mirroring(
                        Names.trackService(mr, Labels.TRACK_STABLE),
                        port,
                        List.of(new TraefikService.Mirror(
                                Names.trackService(mr, Labels.TRACK_CANARY), port, split.mirrors(audience))))));
                out.add(s);
            }
        }
        return out;
    }

    /**
     * Writes the TraefikServices {@code routes} name; empty when each is stored as written, otherwise why the routes
     * must carry no mirror. A cluster that does not serve the API (404), RBAC (403) or a refusal (400, 422) is a
     * lasting answer ({@code lasting}); any other failure is transient, retried at the next pass.
     */
    Optional<Refusal> write(ModelRelease mr, TrafficSplit split, List<HTTPRoute> routes) {
        for (TraefikService want : desired(mr, split, routes)) {
            String name = want.getMetadata().getName();
            try {
                Optional<TraefikService> written = applier.applyIfChanged(want);
                if (written.isPresent() && !Objects.equals(written.get().getSpec(), want.getSpec())) {
                    return Optional.of(new Refusal(
                            "TraefikService " + name + " was stored as "
                                    + written.get().getSpec() + ", not as written (" + want.getSpec()
                                    + "): the routes carry no mirror",
                            true));
                }
            } catch (KubernetesClientException e) {
                return Optional.of(refusal(name, e));
            }
        }
        return Optional.empty();
    }

    private static Refusal refusal(String name, KubernetesClientException e) {
        String head = "the shadow stage mirrors through a TraefikService on Traefik, which implements no"
                + " RequestMirror filter, but TraefikService " + name + " could not be written (" + e.getCode() + ")";
        return switch (e.getCode()) {
            case 404 ->
                new Refusal(
                        head
                                + ": this cluster does not serve traefik.io/v1alpha1 TraefikService; install Traefik's CRDs"
                                + " and run its kubernetesCRD provider (both on in Traefik's Helm chart); the routes"
                                + " carry no mirror",
                        true);
            case 403 ->
                new Refusal(
                        head
                                + ": the operator may not write TraefikServices (RBAC; the chart grants it); the routes carry"
                                + " no mirror",
                        true);
            case 400, 409, 422 -> new Refusal(head + ": " + e.getMessage() + "; the routes carry no mirror", true);
            default -> new Refusal(head + ": " + e.getMessage() + "; the routes carry no mirror; retried", false);
        };
    }

    /** Why the routes carry no mirror; {@code lasting}: asked again only after {@link MirrorCheck#RECHECK}. */
    record Refusal(String why, boolean lasting) {}
}
