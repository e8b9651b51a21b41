package dev.fledge.operator.k8s;

import dev.fledge.api.ModelRelease;
import io.fabric8.kubernetes.api.model.HasMetadata;
import io.fabric8.kubernetes.api.model.Service;
import io.fabric8.kubernetes.api.model.gatewayapi.v1.HTTPRoute;
import io.fabric8.kubernetes.client.KubernetesClient;
import io.fabric8.kubernetes.client.KubernetesClientException;
import io.javaoperatorsdk.operator.api.config.informer.InformerEventSourceConfiguration;
import io.javaoperatorsdk.operator.api.reconciler.EventSourceContext;
import io.javaoperatorsdk.operator.processing.event.ResourceID;
import io.javaoperatorsdk.operator.processing.event.source.EventSource;
import io.javaoperatorsdk.operator.processing.event.source.filter.OnUpdateFilter;
import io.javaoperatorsdk.operator.processing.event.source.informer.InformerEventSource;
import io.javaoperatorsdk.operator.processing.event.source.informer.Mappers;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.Optional;
import java.util.concurrent.ConcurrentHashMap;
import org.jboss.logging.Logger;

/**
 * Informers of the Services and HTTPRoutes the operator makes for its releases (selected by the release label and
 * the shard's selector, cached without managed fields), registered by the reconciler, read by the {@code Applier}s
 * and the gatewayAPI router. With them a pass that changes nothing costs no request for these objects:
 * <ul>
 * <li>a write is skipped while the informer's copy is the one last written (a change by anyone else is put right
 * at the next pass), and an actual write checks ownership against the copy, not with a GET; before, each Service and
 * route was read and applied again every 5 minutes (bench-operator: 3.0 requests per transition, about 270
 * requests/s at rest for 10,000 releases);</li>
 * <li>a route waiting for its Gateway is read from the copy, not with a GET every 2 s (3.9 per transition), and
 * its Gateway's answer, a status change, wakes the release.</li>
 * </ul>
 * A Service's spec change and any deletion wake the release too; the operator's own writes do not otherwise.
 *
 * <p>HTTPRoutes are watched only when the API server serves them when the operator starts (an informer of a kind the
 * cluster does not have would not start); without, routes are handled as before. A kind not registered (tests that
 * build the collaborators without the reconciler's event sources) is read and re-applied as before.
 */
public final class OwnedObjects {
    private static final Logger LOG = Logger.getLogger(OwnedObjects.class);
    private final Map<Class<?>, InformerEventSource<?, ModelRelease>> informers = new ConcurrentHashMap<>();

    /** The informers, for the reconciler's event sources; {@code selector}: the shard's labels of what it made. */
    public List<EventSource<?, ModelRelease>> eventSources(EventSourceContext<ModelRelease> context, String selector) {
        List<EventSource<?, ModelRelease>> out = new ArrayList<>();
        // a Service edited by someone else is put right at once; the operator rarely changes its Services
        out.add(register(
                Service.class, context, selector, (now, before) -> !Objects.equals(now.getSpec(), before.getSpec())));
        if (served(context.getClient(), HTTPRoute.class)) {
            // the Gateway's answer; a spec edit by someone else is put right at the release's next pass
            out.add(register(
                    HTTPRoute.class,
                    context,
                    selector,
                    (now, before) -> !Objects.equals(now.getStatus(), before.getStatus())));
        } else {
            LOG.info("the API server serves no gateway.networking.k8s.io/v1 HTTPRoutes: routes are read with a GET "
                    + "while they wait for their Gateway, and applied again every 5 minutes");
        }
        return out;
    }

    /**
     * The informer's copy of an object like {@code desired} (same kind, namespace and name): empty when the kind is
     * not watched; an empty copy when the informer has none.
     */
    @SuppressWarnings("unchecked")
    public <T extends HasMetadata> Optional<Optional<T>> lookup(T desired) {
        InformerEventSource<?, ModelRelease> informer = informers.get(desired.getClass());
        if (informer == null) {
            return Optional.empty();
        }
        var meta = desired.getMetadata();
        return Optional.of((Optional<T>) informer.get(new ResourceID(meta.getName(), meta.getNamespace())));
    }

    private <T extends HasMetadata> EventSource<?, ModelRelease> register(
            Class<T> kind, EventSourceContext<ModelRelease> context, String selector, OnUpdateFilter<T> onUpdate) {
        var config = InformerEventSourceConfiguration.from(kind, ModelRelease.class)
                .withLabelSelector(selector)
                .withSecondaryToPrimaryMapper(Mappers.fromOwnerReferences(ModelRelease.class))
                .withItemStore(new LeanItemStore<>())
                .withOnAddFilter(o -> false) // the operator made it
                .withOnUpdateFilter(onUpdate)
                .build();
        InformerEventSource<T, ModelRelease> informer = new InformerEventSource<>(config, context);
        informers.put(kind, informer);
        return informer;
    }

    private static boolean served(KubernetesClient client, Class<? extends HasMetadata> kind) {
        try {
            return client.supports(kind);
        } catch (KubernetesClientException e) {
            LOG.warnf("could not tell whether the API server serves %s: %s", HasMetadata.getKind(kind), e.getMessage());
            return false;
        }
    }
}
