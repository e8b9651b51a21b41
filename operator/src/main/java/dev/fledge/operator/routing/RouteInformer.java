package dev.fledge.operator.routing;

import dev.fledge.api.ModelRelease;
import io.fabric8.kubernetes.api.model.ObjectMetaBuilder;
import io.fabric8.kubernetes.api.model.gatewayapi.v1.HTTPRoute;
import io.fabric8.kubernetes.client.KubernetesClient;
import io.fabric8.kubernetes.client.KubernetesClientException;
import io.fabric8.kubernetes.client.informers.cache.BasicItemStore;
import io.fabric8.kubernetes.client.informers.cache.Cache;
import io.javaoperatorsdk.operator.api.config.informer.InformerEventSourceConfiguration;
import io.javaoperatorsdk.operator.api.reconciler.EventSourceContext;
import io.javaoperatorsdk.operator.processing.event.ResourceID;
import io.javaoperatorsdk.operator.processing.event.source.EventSource;
import io.javaoperatorsdk.operator.processing.event.source.informer.InformerEventSource;
import io.javaoperatorsdk.operator.processing.event.source.informer.Mappers;
import java.util.Objects;
import java.util.Optional;
import org.jboss.logging.Logger;

/**
 * The operator's HTTPRoutes as an informer keeps them: without managed fields and annotations. The router reads a route's
 * acceptance here instead of with a GET on every pass while the route waits for its Gateway (bench-operator: 3.9 GETs
 * per transition), and the Gateway's answer wakes the release at once (a status change is an event; the operator's
 * own writes, which change no status, are not).
 *
 * <p>Registered only when the API server serves HTTPRoutes when the operator starts: an informer of a kind the cluster
 * does not have would not start. Without it ({@link #watched()} false) the router reads each waiting route with a GET,
 * as before; Gateway API CRDs installed later are watched after the next restart.
 */
public final class RouteInformer {
    private static final Logger LOG = Logger.getLogger(RouteInformer.class);
    private volatile InformerEventSource<HTTPRoute, ModelRelease> source;

    /** The informer of this operator's routes (those {@code selector} selects), if the cluster serves HTTPRoutes. */
    public Optional<EventSource<?, ModelRelease>> eventSource(
            EventSourceContext<ModelRelease> context, String selector) {
        if (!served(context.getClient())) {
            LOG.info("the API server serves no gateway.networking.k8s.io/v1 HTTPRoutes: route acceptance is read "
                    + "with a GET per pass while a route waits for its Gateway");
            return Optional.empty();
        }
        var config = InformerEventSourceConfiguration.from(HTTPRoute.class, ModelRelease.class)
                .withLabelSelector(selector)
                .withSecondaryToPrimaryMapper(Mappers.fromOwnerReferences(ModelRelease.class))
                .withItemStore(new LeanRoutes())
                .withOnAddFilter(r -> false) // the operator made it; a Gateway's answer comes as an update
                .withOnUpdateFilter((now, before) -> !Objects.equals(now.getStatus(), before.getStatus()))
                .build();
        InformerEventSource<HTTPRoute, ModelRelease> informer = new InformerEventSource<>(config, context);
        source = informer;
        return Optional.of(informer);
    }

    /** Whether routes are read from the informer. */
    boolean watched() {
        return source != null;
    }

    /** The informer's copy of a route, empty when it has none; only when {@link #watched()}. */
    Optional<HTTPRoute> get(String namespace, String name) {
        InformerEventSource<HTTPRoute, ModelRelease> s = source;
        return s == null ? Optional.empty() : s.get(new ResourceID(name, namespace));
    }

    private static boolean served(KubernetesClient client) {
        try {
            return client.supports(HTTPRoute.class);
        } catch (KubernetesClientException e) {
            LOG.warnf("could not tell whether the API server serves HTTPRoutes: %s", e.getMessage());
            return false;
        }
    }

    /**
     * Keeps what acceptance ({@link RouteAcceptance}: parents and backends of the spec, the status) and the owner mapping
     * read: no managed fields, no annotations.
     */
    static final class LeanRoutes extends BasicItemStore<HTTPRoute> {
        LeanRoutes() {
            super(Cache::metaNamespaceKeyFunc);
        }

        @Override
        public HTTPRoute put(String key, HTTPRoute obj) {
            return super.put(key, obj == null ? null : slim(obj));
        }

        static HTTPRoute slim(HTTPRoute route) {
            var m = route.getMetadata();
            HTTPRoute kept = new HTTPRoute();
            kept.setApiVersion(route.getApiVersion());
            kept.setKind(route.getKind());
            kept.setMetadata(new ObjectMetaBuilder()
                    .withName(m.getName())
                    .withNamespace(m.getNamespace())
                    .withUid(m.getUid())
                    .withResourceVersion(m.getResourceVersion())
                    .withGeneration(m.getGeneration())
                    .withLabels(m.getLabels())
                    .withOwnerReferences(m.getOwnerReferences())
                    .withDeletionTimestamp(m.getDeletionTimestamp())
                    .build());
            kept.setSpec(route.getSpec());
            kept.setStatus(route.getStatus());
            return kept;
        }
    }
}
