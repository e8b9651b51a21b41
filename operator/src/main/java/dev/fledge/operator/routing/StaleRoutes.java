package dev.fledge.operator.routing;

import dev.fledge.api.Labels;
import dev.fledge.api.ModelRelease;
import dev.fledge.core.rollout.Stage;
import dev.fledge.operator.workload.Applier;
import dev.fledge.operator.workload.Names;
import io.fabric8.kubernetes.api.model.HasMetadata;
import io.fabric8.kubernetes.api.model.OwnerReference;
import io.fabric8.kubernetes.api.model.Service;
import io.fabric8.kubernetes.api.model.gatewayapi.v1.HTTPRoute;
import io.fabric8.kubernetes.client.KubernetesClient;
import io.fabric8.kubernetes.client.KubernetesClientException;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.Set;
import java.util.TreeSet;
import org.jboss.logging.Logger;

/**
 * Removes routing objects that a release owns and its router no longer wants (issue 14, item 12): the HTTPRoute of a
 * renamed {@code httpRoute}, the own route {@code <route>-<audience>} of an audience that moved to a header rule (or
 * the other way), every HTTPRoute after a change to the replicas router, and the replicas router's audience Services
 * {@code x-internal}, {@code x-closed} after a change to gatewayAPI.
 *
 * <p>Only an object whose controller owner reference carries this release's UID is deleted, and the delete is
 * conditional on the resourceVersion that was checked: an object someone else owns, or took over meanwhile, is never
 * deleted. Candidates are found by the {@value Labels#RELEASE} label the operator puts on what it creates.
 *
 * <p>A sweep costs one LIST per kind, so it runs when the set of objects a release wants differs from the one last
 * swept for it (one shared instance for both routers), and on the first apply after an operator start; a failed sweep
 * is logged and retried at the next apply, and never stops a route change or a rollback.
 */
public final class StaleRoutes {
    private static final Logger LOG = Logger.getLogger(StaleRoutes.class);
    private static final int REMEMBERED = 20_000;

    private final KubernetesClient client;
    private final Applier applier;
    private final Map<String, String> swept = new LinkedHashMap<>(256, 0.75f, true) {
        @Override
        protected boolean removeEldestEntry(Map.Entry<String, String> eldest) {
            return size() > REMEMBERED;
        }
    };

    public StaleRoutes(KubernetesClient client, Applier applier) {
        this.client = client;
        this.applier = applier;
    }

    /**
     * Deletes the release's HTTPRoutes not named in {@code keepRoutes}, and its audience Services unless
     * {@code keepAudienceServices}; returns what it deleted, as {@code Kind/name}.
     */
    List<String> sweep(ModelRelease mr, Set<String> keepRoutes, boolean keepAudienceServices) {
        String uid = mr.getMetadata().getUid();
        String wanted = new TreeSet<>(keepRoutes) + (keepAudienceServices ? "+audience-services" : "");
        synchronized (swept) {
            if (uid == null || wanted.equals(swept.get(uid))) {
                return List.of();
            }
        }
        List<String> deleted = new ArrayList<>();
        try {
            for (HTTPRoute route : owned(mr, HTTPRoute.class)) {
                if (!keepRoutes.contains(route.getMetadata().getName())) {
                    delete(route, deleted);
                }
            }
            if (!keepAudienceServices) {
                Set<String> audienceServices = new TreeSet<>();
                Stage.AUDIENCES.forEach(s -> audienceServices.add(Names.audienceService(mr, s.wireName())));
                for (Service service : owned(mr, Service.class)) {
                    if (audienceServices.contains(service.getMetadata().getName())) {
                        delete(service, deleted);
                    }
                }
            }
        } catch (KubernetesClientException e) {
            LOG.warnf(
                    "%s/%s: could not remove stale routes (retried at the next apply): %s",
                    mr.getMetadata().getNamespace(), mr.getMetadata().getName(), e.getMessage());
            return deleted;
        }
        synchronized (swept) {
            swept.put(uid, wanted);
        }
        return deleted;
    }

    /** The objects of a kind labelled with the release and controlled by it; none when the kind is not installed. */
    private <T extends HasMetadata> List<T> owned(ModelRelease mr, Class<T> type) {
        List<T> items;
        try {
            items = client.resources(type)
                    .inNamespace(mr.getMetadata().getNamespace())
                    .withLabel(Labels.RELEASE, mr.getMetadata().getName())
                    .list()
                    .getItems();
        } catch (KubernetesClientException e) {
            if (e.getCode() == 404) {
                return List.of(); // no Gateway API CRDs in this cluster: no HTTPRoutes to remove
            }
            throw e;
        }
        return items.stream()
                .filter(o -> controlledBy(o, mr.getMetadata().getUid()))
                .toList();
    }

    private void delete(HasMetadata o, List<String> deleted) {
        try {
            // a 409 (changed since it was checked, perhaps taken over) fails this sweep: looked at again at the next
            client.resource(o).lockResourceVersion().delete();
        } catch (KubernetesClientException e) {
            if (e.getCode() != 404) {
                throw e;
            }
        }
        applier.forget(o);
        deleted.add(o.getKind() + "/" + o.getMetadata().getName());
        LOG.infof(
                "%s/%s: removed %s %s, which the release owns and no longer routes through",
                o.getMetadata().getNamespace(),
                o.getMetadata().getLabels().get(Labels.RELEASE),
                o.getKind(),
                o.getMetadata().getName());
    }

    static boolean controlledBy(HasMetadata o, String uid) {
        List<OwnerReference> refs = o.getMetadata().getOwnerReferences();
        return uid != null
                && refs != null
                && refs.stream()
                        .anyMatch(r -> Boolean.TRUE.equals(r.getController()) && Objects.equals(uid, r.getUid()));
    }
}
