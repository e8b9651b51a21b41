package dev.fledge.operator.routing;

import dev.fledge.api.Labels;
import dev.fledge.api.ModelRelease;
import dev.fledge.core.rollout.Stage;
import dev.fledge.operator.workload.Applier;
import dev.fledge.operator.workload.Names;
import io.fabric8.kubernetes.api.model.HasMetadata;
import io.fabric8.kubernetes.api.model.Service;
import io.fabric8.kubernetes.api.model.gatewayapi.v1.HTTPRoute;
import io.fabric8.kubernetes.client.KubernetesClient;
import io.fabric8.kubernetes.client.KubernetesClientException;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.Set;
import java.util.TreeSet;
import java.util.concurrent.atomic.AtomicReference;
import org.jboss.logging.Logger;

/**
 * Removes routing objects that a release owns and its router no longer wants (issue 14, item 12): the HTTPRoute of a
 * renamed {@code httpRoute}, the own route {@code <route>-<audience>} of an audience that moved to a header rule (or
 * the other way), every HTTPRoute after a change to the replicas router, the replicas router's audience Services
 * {@code x-internal}, {@code x-closed} after a change to gatewayAPI, and the InferencePools after {@code
 * inferencePool} was taken out.
 *
 * <p>Only an object whose controller owner reference carries this release's UID is deleted, and the delete is
 * conditional on the resourceVersion that was checked: an object someone else owns, or took over meanwhile, is never
 * deleted. Candidates are found by the {@value Labels#RELEASE} label the operator puts on what it creates.
 *
 * <p>A sweep costs one LIST per kind, so it runs when the set of objects a release wants differs from the one last
 * swept for it (one shared instance for both routers), and on the first apply after an operator start. The
 * InferencePools are remembered apart: a release whose routes wait for their Gateway keeps its pools for that while,
 * and that wait coming and going lists pools again (only while they may exist), never its HTTPRoutes and Services,
 * whose wanted set did not change (issue 20: at N = 1000 each acceptance wait cost a LIST of both). Each object
 * is deleted on its own, so one failure does not keep the others. A sweep with a failure is logged, not remembered,
 * and returned to the router, which reports it as route drift: the reconciler records a {@code RouteDrift} Warning
 * Event and requeues the release within {@code ModelReleaseReconciler.DRIFT_RETRY}, where it is swept again. It never
 * stops a route change or a rollback.
 */
public final class StaleRoutes {
    private static final Logger LOG = Logger.getLogger(StaleRoutes.class);
    private static final int REMEMBERED = 20_000;
    /** How long a cluster without the InferencePool API is taken to stay without it. */
    static final Duration POOLS_RECHECK = Duration.ofMinutes(10);

    private final KubernetesClient client;
    private final OwnedRouting owned;
    private final Applier applier;
    private final Clock clock;
    private final AtomicReference<Instant> poolsAbsentAt = new AtomicReference<>();
    private final Map<String, Swept> swept = new LinkedHashMap<>(256, 0.75f, true) {
        @Override
        protected boolean removeEldestEntry(Map.Entry<String, Swept> eldest) {
            return size() > REMEMBERED;
        }
    };

    public StaleRoutes(KubernetesClient client, Applier applier, Clock clock) {
        this.client = client;
        this.owned = new OwnedRouting(client);
        this.applier = applier;
        this.clock = clock;
    }

    /**
     * Deletes the release's HTTPRoutes not named in {@code keepRoutes}, and its audience Services unless
     * {@code keepAudienceServices}. Each object is handled on its own: one that fails (a 409 because it changed, an
     * API error) does not stop the others. Returns what failed, empty when the sweep is done; the caller reports it
     * and requeues soon, and since a failed sweep is not remembered, the next apply sweeps again.
     */
    Optional<String> sweep(ModelRelease mr, Set<String> keepRoutes, boolean keepAudienceServices, boolean keepPools) {
        String uid = mr.getMetadata().getUid();
        if (uid == null) {
            return Optional.empty();
        }
        String wanted = new TreeSet<>(keepRoutes) + (keepAudienceServices ? "+audience-services" : "");
        Swept last;
        synchronized (swept) {
            last = swept.get(uid);
        }
        boolean routesDone = last != null && wanted.equals(last.routes());
        // a release that routes to pools writes them: they are not clean, whatever an earlier sweep found
        boolean poolsClean = last != null && last.poolsClean() && !InferencePools.used(mr);
        boolean poolsDone = keepPools || poolsClean;
        if (routesDone && poolsDone) {
            return Optional.empty();
        }
        List<String> failed = new ArrayList<>();
        if (!routesDone) {
            sweepRoutes(mr, keepRoutes, keepAudienceServices, failed);
        }
        if (!poolsDone) {
            try {
                for (InferencePool pool : ownedPools(mr)) {
                    delete(pool, failed);
                }
            } catch (KubernetesClientException e) {
                failed.add("listing InferencePools: " + e.getMessage());
            }
        }
        if (!failed.isEmpty()) {
            String message = "could not remove stale routing objects (retried soon): " + String.join("; ", failed);
            LOG.warnf(
                    "%s/%s: %s",
                    mr.getMetadata().getNamespace(), mr.getMetadata().getName(), message);
            return Optional.of(message);
        }
        synchronized (swept) {
            // pools are clean after a sweep of them, or when they were and the release still routes to none (a
            // route waiting for its Gateway keeps old pools only if they were not clean)
            swept.put(uid, new Swept(wanted, !poolsDone || poolsClean));
        }
        return Optional.empty();
    }

    private void sweepRoutes(
            ModelRelease mr, Set<String> keepRoutes, boolean keepAudienceServices, List<String> failed) {
        try {
            for (HTTPRoute route : owned.of(mr, HTTPRoute.class)) {
                if (!keepRoutes.contains(route.getMetadata().getName())) {
                    delete(route, failed);
                }
            }
        } catch (KubernetesClientException e) {
            failed.add("listing HTTPRoutes: " + e.getMessage());
        }
        if (!keepAudienceServices) {
            Set<String> audienceServices = new TreeSet<>();
            Stage.AUDIENCES.forEach(s -> audienceServices.add(Names.audienceService(mr, s.wireName())));
            try {
                for (Service service : owned.of(mr, Service.class)) {
                    if (audienceServices.contains(service.getMetadata().getName())) {
                        delete(service, failed);
                    }
                }
            } catch (KubernetesClientException e) {
                failed.add("listing Services: " + e.getMessage());
            }
        }
    }

    /** The InferencePool API answered (a pool was written): forget an earlier 404, so the next sweep lists pools. */
    void poolsSeen() {
        poolsAbsentAt.set(null);
    }

    /**
     * The release's InferencePools to delete: none when the cluster has no InferencePool API, which a LIST answered
     * with 404 less than {@link #POOLS_RECHECK} ago, so that releases that never used pools cost no LIST each at every
     * operator start on a cluster without the Inference Extension.
     */
    private List<InferencePool> ownedPools(ModelRelease mr) {
        Instant absent = poolsAbsentAt.get();
        if (absent != null && clock.instant().isBefore(absent.plus(POOLS_RECHECK))) {
            return List.of();
        }
        Optional<List<InferencePool>> pools;
        try {
            pools = owned.ofInstalled(mr, InferencePool.class);
        } catch (KubernetesClientException e) {
            if (e.getCode() == 403) {
                // RBAC without inferencepools (an operator that never had it never made a pool to remove): not a
                // failed sweep, which would requeue every release every DRIFT_RETRY
                return List.of();
            }
            throw e;
        }
        poolsAbsentAt.set(pools.isEmpty() ? clock.instant() : null);
        return pools.orElse(List.of());
    }

    private void delete(HasMetadata o, List<String> failed) {
        String what = o.getKind() + "/" + o.getMetadata().getName();
        try {
            // a 409 (changed since it was checked, perhaps taken over) fails this object: looked at again next sweep
            client.resource(o).lockResourceVersion().delete();
        } catch (KubernetesClientException e) {
            if (e.getCode() != 404) {
                failed.add(what + ": " + e.getMessage());
                return;
            }
        }
        applier.forget(o);
        LOG.infof(
                "%s/%s: removed %s, which the release owns and no longer routes through",
                o.getMetadata().getNamespace(), o.getMetadata().getLabels().get(Labels.RELEASE), what);
    }

    /** What the last complete sweep of a release left: the wanted routes and Services, and whether its pools are gone. */
    private record Swept(String routes, boolean poolsClean) {}
}
