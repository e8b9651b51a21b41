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
import dev.fledge.operator.workload.Applier;
import dev.fledge.operator.workload.DesiredService;
import dev.fledge.operator.workload.Names;
import dev.fledge.operator.workload.ServerDefaults;
import io.fabric8.kubernetes.api.model.gatewayapi.v1.Gateway;
import io.fabric8.kubernetes.api.model.gatewayapi.v1.HTTPRoute;
import io.fabric8.kubernetes.api.model.gatewayapi.v1.HTTPRouteRule;
import io.fabric8.kubernetes.client.KubernetesClient;
import io.fabric8.kubernetes.client.KubernetesClientException;
import java.time.Clock;
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
 * clock waiting.
 */
public final class GatewayApiRouter implements TrafficRouter {
    private final KubernetesClient client;
    private final Applier applier;
    private final DesiredService services;
    private final HttpRoutes routes;
    private final StaleRoutes stale;
    private final AcceptanceWatch acceptance;
    private final MirrorCheck mirrorCheck;

    public GatewayApiRouter(
            KubernetesClient client,
            Applier applier,
            DesiredService services,
            ServerDefaults defaults,
            StaleRoutes stale,
            Clock clock) {
        this.client = client;
        this.acceptance = new AcceptanceWatch(clock);
        this.applier = applier;
        this.services = services;
        this.routes = new HttpRoutes(defaults);
        this.stale = stale;
        this.mirrorCheck = new MirrorCheck(applier, clock);
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
        return errors;
    }

    private void checkParents(ModelRelease release, String path, List<ParentReference> refs, List<String> errors) {
        if (refs == null) {
            return;
        }
        for (int i = 0; i < refs.size(); i++) {
            var ref = refs.get(i);
            String ns = ref.getNamespace() == null ? release.getMetadata().getNamespace() : ref.getNamespace();
            try {
                Gateway gw = client.resources(Gateway.class)
                        .inNamespace(ns)
                        .withName(ref.getName())
                        .get();
                if (gw == null) {
                    errors.add(path + "[" + i + "].name: Gateway " + ns + "/" + ref.getName() + " not found");
                }
            } catch (KubernetesClientException e) {
                if (e.getCode() != 403) {
                    throw e; // a transient failure (connection, 5xx, 429) is no verdict on the spec: retried
                }
                errors.add(path + "[" + i + "].name: the operator may not read Gateway " + ns + "/" + ref.getName()
                        + " (RBAC): " + e.getMessage());
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
        List<HTTPRoute> desired = routes.desired(release, split);
        if (split.mirrorsAny()) {
            // the shadow stage: no route carries a mirror the API server would not keep as written
            Optional<String> refused = mirrorCheck.refusal(release, desired);
            if (refused.isPresent()) {
                diffs.add(refused.get());
                desired = routes.desired(release, split.withoutMirror());
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
        if (!mirrorDrift.isEmpty()) {
            // stored otherwise than written although the dry run kept it (a webhook that acts only on real writes):
            // taken out in this pass, and not written again until the spec changes
            String why = String.join("; ", mirrorDrift)
                    + ": stored otherwise than written; the routes carry no mirror until the spec changes";
            mirrorCheck.refuse(release, why);
            desired = routes.desired(release, split.withoutMirror());
            diffs.add(why + stopMirroring(desired));
        }
        // after the new routes are in place: the ones this release no longer wants, and the replicas router's Services
        stale.sweep(
                        release,
                        desired.stream().map(r -> r.getMetadata().getName()).collect(Collectors.toSet()),
                        false)
                .ifPresent(diffs::add);
        return new Routed(diffs.isEmpty() ? Optional.empty() : Optional.of(String.join("; ", diffs)), pending);
    }

    /**
     * Whether the Gateway has taken this route as written ({@link RouteAcceptance}): read from the apply response when
     * there was a write (no extra request), else from one GET, which is skipped while the route is known accepted at
     * the generation this operator last wrote. So a pass that changes no route costs no GET once its routes were
     * accepted; a route waiting for its Gateway costs one GET per pass until it is accepted.
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

    private static List<String> backends(HTTPRoute route) {
        List<String> out = new ArrayList<>();
        for (HTTPRouteRule rule : route.getSpec().getRules()) {
            rule.getBackendRefs().forEach(b -> out.add(b.getName() + "=" + b.getWeight()));
        }
        return out;
    }
}
