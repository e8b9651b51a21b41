package dev.fledge.e2e.cluster;

import io.fabric8.kubernetes.api.model.discovery.v1.Endpoint;
import io.fabric8.kubernetes.api.model.discovery.v1.EndpointSlice;
import io.fabric8.kubernetes.client.KubernetesClient;
import io.fabric8.kubernetes.client.Watch;
import io.fabric8.kubernetes.client.Watcher;
import io.fabric8.kubernetes.client.WatcherException;
import java.time.Instant;
import java.util.List;
import java.util.Queue;
import java.util.concurrent.ConcurrentLinkedQueue;
import java.util.stream.Collectors;

/**
 * Every change to the EndpointSlices of a namespace, as the test's client saw it and when: printed when a user's
 * request failed, to tell a failure at an endpoint change (a pod that left, one that came) from one while the
 * endpoints stood still.
 */
final class EndpointSliceLog implements AutoCloseable {
    private final Queue<String> lines = new ConcurrentLinkedQueue<>();
    private final Watch watch;

    EndpointSliceLog(KubernetesClient client, String namespace) {
        this.watch = client.discovery()
                .v1()
                .endpointSlices()
                .inNamespace(namespace)
                .watch(new Watcher<>() {
                    @Override
                    public void eventReceived(Action action, EndpointSlice slice) {
                        lines.add(Instant.now() + " " + action + " "
                                + slice.getMetadata().getName() + " " + describe(slice.getEndpoints()));
                    }

                    @Override
                    public void onClose(WatcherException cause) {
                        lines.add(Instant.now() + " watch closed: " + cause);
                    }
                });
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
                        + " ready=" + e.getConditions().getReady()
                        + " serving=" + e.getConditions().getServing()
                        + " terminating=" + e.getConditions().getTerminating())
                .collect(Collectors.joining("; ", "[", "]"));
    }

    List<String> lines() {
        return List.copyOf(lines);
    }

    @Override
    public void close() {
        watch.close();
    }
}
