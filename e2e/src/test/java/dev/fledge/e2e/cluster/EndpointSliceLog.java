package dev.fledge.e2e.cluster;

import io.fabric8.kubernetes.api.model.discovery.v1.Endpoint;
import io.fabric8.kubernetes.api.model.discovery.v1.EndpointSlice;
import io.fabric8.kubernetes.client.KubernetesClient;
import io.fabric8.kubernetes.client.informers.ResourceEventHandler;
import io.fabric8.kubernetes.client.informers.SharedIndexInformer;
import java.time.Instant;
import java.util.List;
import java.util.Queue;
import java.util.concurrent.ConcurrentLinkedQueue;
import java.util.stream.Collectors;

/**
 * Every change to the EndpointSlices of a namespace, as the test's client saw it and when: printed when a user's
 * request failed, to tell a failure at an endpoint change (a pod that left, one that came) from one while the
 * endpoints stood still. An informer, which lists again after a lost watch; a diagnostic only, it never fails the test
 * (an event it cannot describe is logged as such). What the API server said, not what kube-proxy had programmed.
 */
final class EndpointSliceLog implements AutoCloseable {
    private final Queue<String> lines = new ConcurrentLinkedQueue<>();
    private final SharedIndexInformer<EndpointSlice> informer;

    EndpointSliceLog(KubernetesClient client, String namespace) {
        SharedIndexInformer<EndpointSlice> started = null;
        try {
            started = client.discovery()
                    .v1()
                    .endpointSlices()
                    .inNamespace(namespace)
                    .inform(new ResourceEventHandler<>() {
                        @Override
                        public void onAdd(EndpointSlice slice) {
                            log("ADDED", slice);
                        }

                        @Override
                        public void onUpdate(EndpointSlice before, EndpointSlice slice) {
                            log("MODIFIED", slice);
                        }

                        @Override
                        public void onDelete(EndpointSlice slice, boolean finalStateUnknown) {
                            log("DELETED", slice);
                        }
                    });
        } catch (RuntimeException e) {
            lines.add(Instant.now() + " no EndpointSlice log: " + e);
        }
        this.informer = started;
    }

    private void log(String action, EndpointSlice slice) {
        String what;
        try {
            what = slice.getMetadata().getName() + " rv=" + slice.getMetadata().getResourceVersion() + " "
                    + describe(slice.getEndpoints());
        } catch (RuntimeException e) {
            what = "(not described: " + e + ")";
        }
        lines.add(Instant.now() + " " + action + " " + what);
    }

    private static String describe(List<Endpoint> endpoints) {
        if (endpoints == null) {
            return "[]";
        }
        return endpoints.stream()
                .map(e -> String.join(",", e.getAddresses())
                        + (e.getTargetRef() == null
                                ? ""
                                : "(" + e.getTargetRef().getName() + ")")
                        + (e.getConditions() == null
                                ? " no conditions"
                                : " ready=" + e.getConditions().getReady()
                                        + " serving=" + e.getConditions().getServing()
                                        + " terminating=" + e.getConditions().getTerminating()))
                .collect(Collectors.joining("; ", "[", "]"));
    }

    List<String> lines() {
        return List.copyOf(lines);
    }

    @Override
    public void close() {
        if (informer != null) {
            informer.close();
        }
    }
}
