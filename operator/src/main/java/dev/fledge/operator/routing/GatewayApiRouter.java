package dev.fledge.operator.routing;

import dev.fledge.api.Labels;
import dev.fledge.api.ModelRelease;
import dev.fledge.api.spec.AudienceRouteSpec;
import dev.fledge.api.spec.GatewayApiSpec;
import dev.fledge.api.spec.ParentReference;
import dev.fledge.core.rollout.Plan;
import dev.fledge.core.rollout.SpecWarning;
import dev.fledge.core.rollout.Stage;
import dev.fledge.core.rollout.TrafficSplit;
import dev.fledge.operator.validation.RoutePolicy;
import dev.fledge.operator.workload.Applier;
import dev.fledge.operator.workload.DesiredService;
import dev.fledge.operator.workload.Names;
import dev.fledge.operator.workload.ServerDefaults;
import io.fabric8.kubernetes.api.model.HasMetadata;
import io.fabric8.kubernetes.api.model.ListOptionsBuilder;
import io.fabric8.kubernetes.api.model.Service;
import io.fabric8.kubernetes.api.model.gatewayapi.v1.Gateway;
import io.fabric8.kubernetes.api.model.gatewayapi.v1.HTTPRoute;
import io.fabric8.kubernetes.api.model.gatewayapi.v1.HTTPRouteRule;
import io.fabric8.kubernetes.client.KubernetesClient;
import io.fabric8.kubernetes.client.KubernetesClientException;
import java.time.Clock;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Objects;
import java.util.Optional;
import java.util.stream.Collectors;

/**
 * One HTTPRoute per release: a rule per audience that is told apart by a header (opt-in, {@link AudienceTrust}), and a
 * default rule with weighted backendRefs to {@code x-stable} and {@code x-canary}. An audience told apart by hostname
 * or by its own Gateway gets its own HTTPRoute {@code <route>-<audience>} instead (see docs on what each choice
 * trusts). Routes and Services of the release that it no longer wants are removed ({@link StaleRoutes}). A route
 * has left a canary only once its Gateway accepted its current generation ({@link RouteAcceptance}): until then it is
 * reported as pending ({@link Routed#pending}), not as drift, and keeps a replaced canary's template and the drain
 * clock waiting. With {@code inferencePool}, the weighted backendRefs name the release's InferencePools
 * ({@link InferencePools}), applied before the routes.
 */
public final class GatewayApiRouter implements TrafficRouter {
    /**
     * The operator setting that says the cluster's Traefik can carry the shadow stage's mirror through a TraefikService
     * ({@link TraefikMirror}: its kubernetesCRD provider on, with {@code allowEmptyServices: true}).
     */
    public static final String TRAEFIK_MIRROR_SETTING = TraefikMirror.SETTING;
    /** How long a Gateway a spec check found is taken as there ({@link RecentlyFound}). */
    static final Duration FOUND_FOR = Duration.ofMinutes(1);

    private final KubernetesClient client;
    private final Applier applier;
    private final DesiredService services;
    private final HttpRoutes routes;
    private final StaleRoutes stale;
    private final AcceptanceWatch acceptance;
    private final MirrorCheck mirrorCheck;
    private final InferencePools pools;
    private final TraefikMirror traefik;
    private final RecentlyFound found;

    public GatewayApiRouter(
            KubernetesClient client,
            Applier applier,
            DesiredService services,
            ServerDefaults defaults,
            StaleRoutes stale,
            Clock clock) {
        this(client, applier, services, defaults, stale, clock, false);
    }

    /** {@code traefikMirror}: the platform's {@value TraefikMirror#SETTING} ({@link TraefikMirror}). */
    public GatewayApiRouter(
            KubernetesClient client,
            Applier applier,
            DesiredService services,
            ServerDefaults defaults,
            StaleRoutes stale,
            Clock clock,
            boolean traefikMirror) {
        this.client = client;
        this.acceptance = new AcceptanceWatch(clock);
        this.found = new RecentlyFound(clock, FOUND_FOR);
        this.applier = applier;
        this.services = services;
        this.routes = new HttpRoutes(defaults);
        this.stale = stale;
        this.mirrorCheck = new MirrorCheck(applier, new MirrorSupport(client, traefikMirror), clock);
        this.pools = new InferencePools(defaults);
        this.traefik = new TraefikMirror(client, applier, defaults, clock);
    }

    @Override
    public List<String> validate(ModelRelease release) {
        GatewayApiSpec spec = release.getSpec().getTraffic().getGatewayAPI();
        List<String> errors = new ArrayList<>();
        checkParents(release, "spec.traffic.gatewayAPI.parentRefs", spec.getParentRefs(), errors);
        for (Stage stage : Stage.AUDIENCES) {
            String audience = stage.wireName();
            AudienceRouteSpec a = HttpRoutes.audience(spec, audience);
            if (a != null) {
                checkParents(release, "spec.traffic.gatewayAPI." + audience + ".parentRefs", a.getParentRefs(), errors);
            }
        }
        if (InferencePools.used(release)) {
            errors.addAll(InferencePools.errors(release));
            checkPoolApi(release, errors);
            for (String track : InferencePools.TRACKS) {
                checkEndpointPicker(release, track, errors);
            }
        }
        return errors;
    }

    /**
     * A pool's endpoint picker Service must exist in the release's namespace: with a missing one, every request the
     * Gateway sends to that pool fails (FailClose) or goes unpicked, and nothing else would say why.
     */
    private void checkEndpointPicker(ModelRelease release, String track, List<String> errors) {
        String name = InferencePools.endpointPicker(release, track);
        if (name.length() > 63) {
            return; // InferencePools.errors says so
        }
        checkExists(
                Service.class,
                release.getMetadata().getNamespace(),
                name,
                "spec.traffic.gatewayAPI.inferencePool." + track + "EndpointPicker",
                ": run the endpoint picker of the pool " + Names.trackService(release, track) + " (docs/servers.md)",
                errors);
    }

    /**
     * Adds an error unless the object exists: {@code <path>: <Kind> <ns>/<name> not found<hint>}, or, when the operator
     * may not read it, that it may not (RBAC); returns whether it was found. Any other failure is transient, no verdict
     * on the spec: it is thrown and the reconcile retried.
     */
    private boolean checkExists(
            Class<? extends HasMetadata> type, String ns, String name, String path, String hint, List<String> errors) {
        String kind = HasMetadata.getKind(type);
        try {
            if (client.resources(type).inNamespace(ns).withName(name).get() == null) {
                errors.add(path + ": " + kind + " " + ns + "/" + name + " not found" + hint);
                return false;
            }
            return true;
        } catch (KubernetesClientException e) {
            if (e.getCode() != 403) {
                throw e; // a transient failure (connection, 5xx, 429): retried
            }
            errors.add(path + ": the operator may not read " + kind + " " + ns + "/" + name + " (RBAC): "
                    + e.getMessage());
            return false;
        }
    }

    /**
     * The InferencePool API (the Inference Extension's CRD, v1) must be served, or every pool write would fail: one
     * LIST of at most one pool in the release's namespace, on a spec change and at every pass while the release is
     * Invalid, so once the CRD is installed the release goes on at its next pass (an edit, or the resync).
     */
    private void checkPoolApi(ModelRelease release, List<String> errors) {
        try {
            client.resources(InferencePool.class)
                    .inNamespace(release.getMetadata().getNamespace())
                    .list(new ListOptionsBuilder().withLimit(1L).build());
        } catch (KubernetesClientException e) {
            if (e.getCode() == 404) {
                errors.add("spec.traffic.gatewayAPI.inferencePool: this cluster does not serve InferencePool "
                        + InferencePool.GROUP + "/v1: install the Gateway API Inference Extension's CRDs (v1.0 or"
                        + " later), or take inferencePool out to route to Services");
            } else if (e.getCode() == 403) {
                errors.add("spec.traffic.gatewayAPI.inferencePool: the operator may not list InferencePools (RBAC): "
                        + e.getMessage());
            } else {
                throw e; // a transient failure is no verdict on the spec: retried
            }
        }
    }

    private void checkParents(ModelRelease release, String path, List<ParentReference> refs, List<String> errors) {
        if (refs == null) {
            return;
        }
        for (int i = 0; i < refs.size(); i++) {
            var ref = refs.get(i);
            if (!RoutePolicy.wellFormed(ref)) {
                continue; // not a Kubernetes name: the spec check says so, and no request carries it
            }
            String ns = ref.getNamespace() == null ? release.getMetadata().getNamespace() : ref.getNamespace();
            // a Gateway is shared by many releases (a sync of a thousand read it a thousand times): one found in the
            // last FOUND_FOR is not read again
            String key = ns + "/" + ref.getName();
            if (!found.recently(key)
                    && checkExists(Gateway.class, ns, ref.getName(), path + "[" + i + "].name", "", errors)) {
                found.found(key);
            }
        }
    }

    @Override
    public Replicas replicas(Plan plan, TrafficSplit split) {
        return new Replicas(
                split.stableVersion() == null ? 0 : plan.replicas(), split.canaryRunning() ? plan.replicas() : 0);
    }

    @Override
    public Optional<String> apply(ModelRelease release, TrafficSplit split) {
        return route(release, split, false).drift();
    }

    @Override
    public Routed route(ModelRelease release, TrafficSplit split, boolean holdCanaryPublic) {
        applier.applyIfChanged(services.build(release, Names.publicService(release), Labels.TRACK_STABLE));
        List<String> diffs = new ArrayList<>();
        List<Unaccepted> pending = new ArrayList<>();
        List<Unaccepted> settling = new ArrayList<>();
        boolean toPools = InferencePools.used(release) && poolsWritten(release, split, diffs);
        List<HTTPRoute> desired = routes.desired(release, split, toPools);
        if (split.mirrorsAny()) {
            // the shadow stage: no route carries a mirror the API server would not keep as written
            MirrorCheck.Decision mirror = mirrorCheck.decide(release, desired);
            if (mirror.refusal() != null) {
                diffs.add(mirror.refusal());
                desired = routes.desired(release, split.withoutMirror(), toPools);
            } else if (mirror.viaTraefik()) {
                desired = viaTraefik(release, split, toPools, diffs, settling);
            }
        } else {
            mirrorCheck.forget(release);
        }
        List<String> mirrorDrift = new ArrayList<>();
        for (HTTPRoute want : desired) {
            Optional<HTTPRoute> written = applier.applyIfChanged(want);
            if (written.isPresent()) {
                List<String> got = backends(written.get());
                if (!Objects.equals(got, backends(want))) {
                    diffs.add("HTTPRoute " + want.getMetadata().getName() + " routes " + got + ", want "
                            + backends(want));
                    continue; // drift already: what the Gateway thinks of a route that is not ours does not matter
                }
                List<String> mirrored = MirrorCheck.mirrors(written.get());
                if (!mirrored.equals(MirrorCheck.mirrors(want))) {
                    mirrorDrift.add("HTTPRoute " + want.getMetadata().getName() + " mirrors " + mirrored + ", want "
                            + MirrorCheck.mirrors(want));
                    continue;
                }
            }
            accepted(want, written).ifPresent(pending::add);
        }
        pending.addAll(settling);
        List<HTTPRoute> applied = desired;
        Optional<Unaccepted> traefikRefused = pending.stream()
                .filter(Unaccepted::rejected)
                .filter(p ->
                        p.detail().contains("ResolvedRefs=False") && p.detail().contains(TraefikService.KIND))
                .filter(p -> applied.stream()
                        .anyMatch(r -> r.getMetadata().getName().equals(p.route()) && namesTraefikMirror(release, r)))
                .findFirst();
        if (traefikRefused.isPresent()) {
            // Traefik refuses the route that names the TraefikService (ResolvedRefs=False: its kubernetesCRD provider
            // off, or not watching the namespace): the rule's requests fail, so the routes go back to the Services
            String why = "Traefik at " + traefikRefused.get().parent() + " refuses HTTPRoute "
                    + traefikRefused.get().route() + ", which names a TraefikService ("
                    + traefikRefused.get().detail()
                    + "; is its kubernetesCRD provider on and watching this namespace?): the routes carry no mirror"
                    + " until the release's spec changes (each try fails the rule's requests until it is undone)";
            mirrorCheck.refuse(release, why);
            desired = routes.desired(release, split.withoutMirror(), toPools);
            diffs.add(why + stopMirroring(desired));
            pending.removeIf(p -> p == traefikRefused.get());
        }
        if (!mirrorDrift.isEmpty()) {
            // stored otherwise than written although the dry run kept it (a webhook that acts only on real writes):
            // taken out in this pass, and not written again until the spec changes
            String why = String.join("; ", mirrorDrift)
                    + ": stored otherwise than written; the routes carry no mirror until the spec changes";
            mirrorCheck.refuse(release, why);
            desired = routes.desired(release, split.withoutMirror(), toPools);
            diffs.add(why + stopMirroring(desired));
        }
        // after the new routes are in place: the ones this release no longer wants, and the replicas router's Services
        stale.sweep(
                        release,
                        desired.stream().map(r -> r.getMetadata().getName()).collect(Collectors.toSet()),
                        false,
                        // pools a route still names until its Gateway took the new generation are kept
                        InferencePools.used(release) || !pending.isEmpty())
                .ifPresent(diffs::add);
        return new Routed(diffs.isEmpty() ? Optional.empty() : Optional.of(String.join("; ", diffs)), pending);
    }

    /**
     * Whether the Gateway has taken this route as written ({@link RouteAcceptance}): read from the apply response when
     * there was a write (no extra request); else, while the route is not known accepted at the generation this
     * operator last wrote, from the informer's copy ({@code OwnedObjects}) once it has that write, or from one GET. So a pass
     * that changes no route costs no GET once its routes were accepted; a route waiting for its Gateway costs no GET
     * with the informer, one per pass without it.
     */
    private Optional<Unaccepted> accepted(HTTPRoute want, Optional<HTTPRoute> written) {
        String name = want.getMetadata().getName();
        String key = want.getMetadata().getNamespace() + "/" + name;
        if (written.isPresent()) {
            return acceptance.seen(key, written.get());
        }
        if (acceptance.knownAccepted(key)) {
            return Optional.empty();
        }
        Optional<HTTPRoute> cached = applier.cached(want);
        if (cached.isPresent() && applier.seenSinceLastWrite(want, cached.get())) {
            return acceptance.seen(key, cached.get());
        }
        HTTPRoute seen;
        try {
            seen = client.resources(HTTPRoute.class)
                    .inNamespace(want.getMetadata().getNamespace())
                    .withName(name)
                    .get();
        } catch (KubernetesClientException e) {
            return Optional.of(acceptance.waits(
                    key,
                    new Unaccepted(name, "-", false, "status unreadable (" + e.getCode() + "): " + e.getMessage())));
        }
        if (seen == null) {
            return Optional.of(acceptance.waits(key, new Unaccepted(name, "-", false, "the route is gone")));
        }
        return acceptance.seen(key, seen);
    }

    @Override
    public List<SpecWarning> warnings(ModelRelease release) {
        List<SpecWarning> out = new ArrayList<>();
        AudienceTrust.warning(release).ifPresent(out::add);
        AudienceTrust.notRouted(release).ifPresent(out::add);
        AudienceTrust.hostnameOnPublicListener(release).ifPresent(out::add);
        return out;
    }

    /**
     * The routes whose mirrored rules name their TraefikServices, once those are stored as wanted and old enough for
     * Traefik to have loaded them; until they are, the routes without any mirror, and {@code settling} says what each
     * mirrored route waits for (the release waits as for a Gateway). A refusal: the routes without any mirror, and the
     * drift says why. InferencePools cannot be mirrored this way: a TraefikService sends to Services only.
     */
    private List<HTTPRoute> viaTraefik(
            ModelRelease release, TrafficSplit split, boolean toPools, List<String> diffs, List<Unaccepted> settling) {
        if (toPools) {
            diffs.add("the shadow stage on Traefik mirrors through a TraefikService, which sends to Services, not to"
                    + " InferencePools: the routes carry no mirror");
            return routes.desired(release, split.withoutMirror(), true);
        }
        List<HTTPRoute> desired = routes.desired(release, split, false, true);
        TraefikMirror.Outcome outcome = traefik.write(release, split, desired);
        if (outcome instanceof TraefikMirror.Outcome.Settling wait) {
            for (HTTPRoute route : desired) {
                if (namesTraefikMirror(release, route)) {
                    // not the Gateway's wait (AcceptanceWatch): it ends by the clock, within SETTLE
                    settling.add(new Unaccepted(
                            route.getMetadata().getName(),
                            "-",
                            false,
                            "its mirror's TraefikService " + wait.name() + " is new: Traefik loads it before the"
                                    + " route names it (" + TraefikMirror.SETTLE.toSeconds()
                                    + " s after it was made)"));
                }
            }
            return routes.desired(release, split.withoutMirror(), false);
        }
        if (outcome instanceof TraefikMirror.Outcome.Refused refused) {
            if (refused.lasting()) {
                mirrorCheck.refuseForAWhile(release, refused.why());
            }
            diffs.add(refused.why());
            return routes.desired(release, split.withoutMirror(), false);
        }
        return desired; // Ready
    }

    /** Whether a rule of {@code route} names one of the release's TraefikServices. */
    private static boolean namesTraefikMirror(ModelRelease release, HTTPRoute route) {
        return route.getSpec().getRules().stream()
                .flatMap(rule -> rule.getBackendRefs().stream())
                .anyMatch(ref -> TraefikMirror.names(release, ref));
    }

    /** Writes {@code unmirrored}, the routes without any mirror; what went wrong, or an empty string. */
    private String stopMirroring(List<HTTPRoute> unmirrored) {
        try {
            for (HTTPRoute want : unmirrored) {
                applier.applyIfChanged(want);
            }
            return "";
        } catch (KubernetesClientException e) {
            return " (the mirror could not be taken out yet: " + e.getCode() + "; retried)";
        }
    }

    @Override
    public void forget(ModelRelease release) {
        mirrorCheck.forget(release);
    }

    /**
     * Writes the release's InferencePools, before the routes that name them; whether they are in place. A failed write
     * (the CRD deleted, RBAC, a quota, the API server unavailable) is drift: the routes then name the tracks' Services,
     * which always exist, so that no route names a pool that may not be there, and a rollback is routed all the same.
     * A refusal of the pool itself (400, 422: a pool of that name the release does not own, a schema the cluster's CRD
     * does not take) is the spec's problem, and the reconciler makes the release Invalid with it.
     */
    private boolean poolsWritten(ModelRelease release, TrafficSplit split, List<String> diffs) {
        try {
            pools.desired(release, split).forEach(applier::applyIfChanged);
            stale.poolsSeen();
            return true;
        } catch (KubernetesClientException e) {
            if (e.getCode() == 400 || e.getCode() == 422) {
                throw e;
            }
            diffs.add("the InferencePools could not be written (" + e.getCode() + "): " + e.getMessage()
                    + "; the routes name the Services until they are");
            return false;
        }
    }

    private static List<String> backends(HTTPRoute route) {
        List<String> out = new ArrayList<>();
        for (HTTPRouteRule rule : route.getSpec().getRules()) {
            rule.getBackendRefs().forEach(b -> out.add(b.getKind() + "/" + b.getName() + "=" + b.getWeight()));
        }
        return out;
    }
}
