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
import java.util.ArrayList;
import java.util.Collections;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.Optional;
import java.util.stream.Collectors;

/**
 * One HTTPRoute per release: a rule per audience that is told apart by a header (opt-in, {@link AudienceTrust}), and a
 * default rule with weighted backendRefs to {@code x-stable} and {@code x-canary}. An audience told apart by hostname
 * or by its own Gateway gets its own HTTPRoute {@code <route>-<audience>} instead (see docs on what each choice
 * trusts). Routes and Services of the release that it no longer wants are removed ({@link StaleRoutes}). A route
 * counts as applied only once its Gateway accepted its current generation ({@link RouteAcceptance}); until then it is
 * reported as drift, which keeps a replaced canary's template and the drain clock waiting.
 */
public final class GatewayApiRouter implements TrafficRouter {
    private final KubernetesClient client;
    private final Applier applier;
    private final DesiredService services;
    private final HttpRoutes routes;
    private final StaleRoutes stale;
    /** Routes seen accepted by every parent at the generation last written (bounded, as the applier's memory). */
    private final Map<String, Long> acceptedGenerations =
            Collections.synchronizedMap(new LinkedHashMap<>(256, 0.75f, true) {
                @Override
                protected boolean removeEldestEntry(Map.Entry<String, Long> eldest) {
                    return size() > 20_000;
                }
            });

    public GatewayApiRouter(
            KubernetesClient client,
            Applier applier,
            DesiredService services,
            ServerDefaults defaults,
            StaleRoutes stale) {
        this.client = client;
        this.applier = applier;
        this.services = services;
        this.routes = new HttpRoutes(defaults);
        this.stale = stale;
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
        applier.applyIfChanged(services.build(release, Names.publicService(release), Labels.TRACK_STABLE));
        List<String> diffs = new ArrayList<>();
        List<HTTPRoute> desired = routes.desired(release, split);
        for (HTTPRoute want : desired) {
            Optional<HTTPRoute> written = applier.applyIfChanged(want);
            if (written.isPresent()) {
                List<String> got = backends(written.get());
                if (!Objects.equals(got, backends(want))) {
                    diffs.add("HTTPRoute " + want.getMetadata().getName() + " routes " + got + ", want "
                            + backends(want));
                }
            }
            accepted(want, written).ifPresent(diffs::add);
        }
        // after the new routes are in place: the ones this release no longer wants, and the replicas router's Services
        stale.sweep(
                        release,
                        desired.stream().map(r -> r.getMetadata().getName()).collect(Collectors.toSet()),
                        false)
                .ifPresent(diffs::add);
        return diffs.isEmpty() ? Optional.empty() : Optional.of(String.join("; ", diffs));
    }

    /**
     * Why the Gateway has not (yet) taken this route as written ({@link RouteAcceptance}), or empty. Read from the
     * apply response when there was a write, else from one GET, which is skipped while the route is known accepted at
     * the generation this operator last wrote.
     */
    private Optional<String> accepted(HTTPRoute want, Optional<HTTPRoute> written) {
        String key =
                want.getMetadata().getNamespace() + "/" + want.getMetadata().getName();
        HTTPRoute seen;
        if (written.isPresent()) {
            seen = written.get();
        } else if (acceptedGenerations.containsKey(key)) {
            return Optional.empty();
        } else {
            try {
                seen = client.resources(HTTPRoute.class)
                        .inNamespace(want.getMetadata().getNamespace())
                        .withName(want.getMetadata().getName())
                        .get();
            } catch (KubernetesClientException e) {
                return Optional.of("could not read the status of HTTPRoute "
                        + want.getMetadata().getName() + ": " + e.getMessage());
            }
            if (seen == null) {
                return Optional.of("HTTPRoute " + want.getMetadata().getName() + " is gone");
            }
        }
        Optional<String> problem = RouteAcceptance.problem(seen);
        if (problem.isEmpty()) {
            acceptedGenerations.put(key, seen.getMetadata().getGeneration());
        } else {
            acceptedGenerations.remove(key);
        }
        return problem;
    }

    @Override
    public List<SpecWarning> warnings(ModelRelease release) {
        List<SpecWarning> out = new ArrayList<>();
        AudienceTrust.warning(release).ifPresent(out::add);
        AudienceTrust.notRouted(release).ifPresent(out::add);
        AudienceTrust.hostnameOnPublicListener(release).ifPresent(out::add);
        return out;
    }

    private static List<String> backends(HTTPRoute route) {
        List<String> out = new ArrayList<>();
        for (HTTPRouteRule rule : route.getSpec().getRules()) {
            rule.getBackendRefs().forEach(b -> out.add(b.getName() + "=" + b.getWeight()));
        }
        return out;
    }
}
