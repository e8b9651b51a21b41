package dev.fledge.operator.routing;

import dev.fledge.api.Labels;
import dev.fledge.api.ModelRelease;
import dev.fledge.core.rollout.TrafficSplit;
import dev.fledge.operator.workload.Applier;
import dev.fledge.operator.workload.Names;
import dev.fledge.operator.workload.Owned;
import dev.fledge.operator.workload.Ownership;
import dev.fledge.operator.workload.ServerDefaults;
import io.fabric8.kubernetes.api.model.gatewayapi.v1.HTTPBackendRef;
import io.fabric8.kubernetes.api.model.gatewayapi.v1.HTTPRoute;
import io.fabric8.kubernetes.client.KubernetesClient;
import io.fabric8.kubernetes.client.KubernetesClientException;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;

/**
 * The shadow stage's mirror on Traefik, which implements no RequestMirror filter (its GatewayClass does not list
 * {@code HTTPRouteRequestMirror}, and it answers 500 to every request of a rule that has one). Traefik mirrors through
 * its own TraefikService instead ({@code mirroring}: a Service that answers, and Services that get a percent of copies),
 * which an HTTPRoute rule may name as its backend ({@code group: traefik.io, kind: TraefikService}, resolved by
 * Traefik's kubernetesCRD provider). So a mirrored audience's rule names the TraefikService
 * {@code <release>-mirror-<audience>-<uid>} ({@link #name}), which sends every request to the stable track Service and
 * copies the split's percent to the canary track Service, bodies up to {@link #MAX_BODY} (the model server's own
 * limit); the rule's header filter runs first, so the copy carries the audience the rule set, as with RequestMirror.
 *
 * <p>Only where the platform says its Traefik can ({@code fledge.routing.traefik-mirror.enabled}): the kubernetesCRD
 * provider on, watching the release's namespace, with {@code allowEmptyServices: true} (as Traefik's Helm chart sets
 * it). Without that, Traefik does not build a TraefikService whose canary has no ready endpoint, and every request of
 * the rule that names it fails: a canary that crashes would fail users' requests.
 *
 * <p>Each pass of the stage reads each TraefikService (one GET): it is written again if it is missing or not as
 * wanted, and refused if it carries a field the operator did not write. A route names it only once it is
 * {@link #SETTLE} old: Traefik's two providers load their objects apart, and a route that names a TraefikService its
 * CRD provider has not loaded yet fails its requests. Meanwhile the route waits, as for its Gateway. The
 * TraefikServices stay when the stage ends (the routes stop naming them; deleting one Traefik may still route to would
 * fail those requests) and go with the release.
 */
final class TraefikMirror {
    /** The GatewayClass controllerName of Traefik's Gateway API provider. */
    static final String CONTROLLER = "traefik.io/gateway-controller";
    /** The operator setting that says the cluster's Traefik can carry the mirror (see the class comment). */
    static final String SETTING = "fledge.routing.traefik-mirror.enabled";
    /** How old a TraefikService must be before a route names it. */
    static final Duration SETTLE = Duration.ofSeconds(10);
    /** Copies of larger bodies are not sent; the model server refuses them anyway (its max-body-size, 1M). */
    static final int MAX_BODY = 1_048_576;

    private final KubernetesClient client;
    private final Applier applier;
    private final ServerDefaults defaults;
    private final Clock clock;
    /** When this operator made a TraefikService, by its own clock, until it has settled. */
    private final Map<String, Instant> madeAt = new ConcurrentHashMap<>();

    TraefikMirror(KubernetesClient client, Applier applier, ServerDefaults defaults, Clock clock) {
        this.client = client;
        this.applier = applier;
        this.defaults = defaults;
        this.clock = clock;
    }

    /**
     * The TraefikService that mirrors {@code audience}'s rule: {@code <release>-mirror-<audience>-<release uid>}.
     * Traefik names it {@code <namespace>-<name>} whatever the namespace, so without the uid a release {@code b-c} in
     * namespace {@code a} would make the same name as a release {@code c} in namespace {@code a-b}. A uid is the API
     * server's, so no release can name its TraefikService as another's (docs/security.md says what Traefik's naming
     * still leaves open).
     */
    static String name(ModelRelease mr, String audience) {
        String uid = mr.getMetadata().getUid();
        return mr.getMetadata().getName() + "-mirror-" + audience + (uid == null ? "" : "-" + uid);
    }

    /** The backendRef of a mirrored rule: the TraefikService of its audience, in the route's namespace. */
    static HTTPBackendRef ref(ModelRelease mr, String audience) {
        HTTPBackendRef ref = new HTTPBackendRef();
        ref.setGroup(TraefikService.GROUP);
        ref.setKind(TraefikService.KIND);
        ref.setName(name(mr, audience));
        ref.setWeight(1); // what the API server defaults it to: the route's drift check compares weights
        return ref;
    }

    /** Whether {@code ref} names one of the release's mirroring TraefikServices (any audience). */
    static boolean names(ModelRelease mr, HTTPBackendRef ref) {
        return TraefikService.KIND.equals(ref.getKind())
                && TraefikService.GROUP.equals(ref.getGroup())
                && ref.getName() != null
                && ref.getName().startsWith(mr.getMetadata().getName() + "-mirror-");
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
            if (named.contains(name(mr, audience)) && split.mirrors(audience) > 0) {
                TraefikService s = new TraefikService();
                s.setMetadata(Owned.meta(mr, name(mr, audience), Map.of("fledge.dev/audience", audience)));
                s.setSpec(spec(
                        Names.trackService(mr, Labels.TRACK_STABLE),
                        Names.trackService(mr, Labels.TRACK_CANARY),
                        port,
                        split.mirrors(audience)));
                out.add(s);
            }
        }
        return out;
    }

    /** {@code spec.mirroring}: {@code stable} answers, {@code percent} of the requests copied to {@code canary}. */
    static Map<String, Object> spec(String stable, String canary, int port, int percent) {
        Map<String, Object> mirror = new LinkedHashMap<>();
        mirror.put("name", canary);
        mirror.put("port", port);
        mirror.put("percent", percent);
        Map<String, Object> mirroring = new LinkedHashMap<>();
        mirroring.put("name", stable);
        mirroring.put("port", port);
        mirroring.put("maxBodySize", MAX_BODY);
        mirroring.put("mirrors", List.of(mirror));
        return Map.of("mirroring", mirroring);
    }

    /** What a pass may do with the routes that name the TraefikServices. */
    sealed interface Outcome {
        /** Every TraefikService is stored as wanted and old enough: the routes may name them. */
        record Ready() implements Outcome {}

        /** Stored as wanted, but too new for Traefik to have surely loaded it: the routes wait. */
        record Settling(String name) implements Outcome {}

        /** The routes carry no mirror; {@code lasting}: asked again only after {@link MirrorCheck#RECHECK}. */
        record Refused(String why, boolean lasting) implements Outcome {}
    }

    /**
     * Reads the TraefikServices {@code routes} name and writes those missing or not as wanted: whether the routes may
     * name them now. A cluster that does not serve the API (404), RBAC (403), a refused write (400, 409, 422) or a
     * TraefikService with fields the operator did not write is a lasting refusal; another failure is transient (no
     * mirror in this pass, retried at the next). One the release does not own throws {@link Ownership.NotOwned}, as
     * for its other objects.
     */
    Outcome write(ModelRelease mr, TrafficSplit split, List<HTTPRoute> routes) {
        Instant now = clock.instant();
        Outcome out = new Outcome.Ready();
        for (TraefikService want : desired(mr, split, routes)) {
            String name = want.getMetadata().getName();
            String id = want.getMetadata().getNamespace() + "-" + name;
            if (!id.equals(traefikName(id))) {
                // Traefik's Gateway provider looks it up as <namespace>-<name>, its CRD provider stores it with every
                // run of other characters made one '-': with '--' in either, the rule would name nothing it serves
                return new Outcome.Refused(
                        "Traefik would not find TraefikService " + name + ": it stores it as " + traefikName(id)
                                + " but looks it up as " + id + " (a namespace or release name with '--'); the"
                                + " routes carry no mirror",
                        true);
            }
            TraefikService stored;
            boolean made = false;
            try {
                stored = client.resources(TraefikService.class)
                        .inNamespace(want.getMetadata().getNamespace())
                        .withName(name)
                        .get();
                Ownership.check(stored, want);
                if (stored == null || !want.getSpec().equals(stored.getSpec())) {
                    made = stored == null;
                    stored = applier.apply(want);
                }
            } catch (Ownership.NotOwned e) {
                throw e;
            } catch (KubernetesClientException e) {
                return refusal(name, e);
            }
            if (!want.getSpec().equals(stored.getSpec())) {
                return new Outcome.Refused(
                        "TraefikService " + name + " is stored as " + stored.getSpec() + ", not as written ("
                                + want.getSpec() + "; a field someone else set stays under server-side apply, and"
                                + " Traefik reads weighted before mirroring): the routes carry no mirror",
                        true);
            }
            Duration left = settling(stored, made, now);
            if (!left.isNegative() && !left.isZero()) {
                out = new Outcome.Settling(name);
            }
        }
        return out;
    }

    /**
     * How much longer a route must wait before it names {@code stored}: {@link #SETTLE} after it was made, by this
     * operator's clock when this pass made it, else by its {@code creationTimestamp}, never more than {@link #SETTLE}
     * (an operator clock behind the API server's does not hold the stage longer; one ahead settles sooner).
     */
    private Duration settling(TraefikService stored, boolean made, Instant now) {
        String key =
                stored.getMetadata().getNamespace() + "/" + stored.getMetadata().getName();
        if (made) {
            madeAt.put(key, now);
        }
        Instant local = madeAt.get(key);
        String created = stored.getMetadata().getCreationTimestamp();
        Duration left = local != null
                ? Duration.between(now, local.plus(SETTLE))
                : created == null
                        ? Duration.ZERO
                        : Duration.between(now, Instant.parse(created).plus(SETTLE));
        if (left.isNegative() || left.isZero()) {
            madeAt.remove(key);
        }
        return left.compareTo(SETTLE) > 0 ? SETTLE : left;
    }

    /** The name Traefik's CRD provider stores an object under (its {@code provider.Normalize}). */
    static String traefikName(String id) {
        return String.join("-", id.split("[^\\p{L}\\p{N}]+", -1)).replaceAll("^-|-$", "");
    }

    private static Outcome.Refused refusal(String name, KubernetesClientException e) {
        String head = "the shadow stage mirrors through a TraefikService on Traefik, which implements no"
                + " RequestMirror filter, but TraefikService " + name + " could not be written (" + e.getCode() + ")";
        return switch (e.getCode()) {
            case 404 ->
                new Outcome.Refused(
                        head
                                + ": this cluster does not serve traefik.io/v1alpha1 TraefikService; install Traefik's CRDs"
                                + " and run its kubernetesCRD provider (both on in Traefik's Helm chart); the routes"
                                + " carry no mirror",
                        true);
            case 403 ->
                new Outcome.Refused(
                        head
                                + ": the operator may not write TraefikServices (RBAC; the chart grants it); the routes carry"
                                + " no mirror",
                        true);
            case 400, 409, 422 ->
                new Outcome.Refused(head + ": " + e.getMessage() + "; the routes carry no mirror", true);
            default ->
                new Outcome.Refused(head + ": " + e.getMessage() + "; the routes carry no mirror; retried", false);
        };
    }
}
