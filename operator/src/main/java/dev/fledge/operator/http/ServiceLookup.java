package dev.fledge.operator.http;

import io.fabric8.kubernetes.api.model.Service;
import io.fabric8.kubernetes.client.KubernetesClient;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Optional;
import java.util.function.LongSupplier;

/** Reads what {@link OutboundPolicy} needs to know of a Service a tenant names (a seam for tests). */
public interface ServiceLookup {
    /** The facts of Service {@code namespace/name}; empty if it does not exist. */
    Optional<Facts> find(String namespace, String name);

    /** A Service's type, whether it selects pods, and its cluster IPs ({@code None} for a headless one). */
    record Facts(String type, boolean selectsPods, List<String> clusterIps) {}

    /** The Service as the API server has it (the operator may get Services: it manages the release's own). */
    static ServiceLookup of(KubernetesClient client) {
        return (namespace, name) -> Optional.ofNullable(
                        client.services().inNamespace(namespace).withName(name).get())
                .map(ServiceLookup::facts);
    }

    /** This lookup with each answer kept at most {@code ttl} (by {@code nanos}, e.g. {@code System::nanoTime}). */
    static ServiceLookup cached(ServiceLookup lookup, Duration ttl, LongSupplier nanos) {
        return new CachedServiceLookup(lookup, ttl, nanos);
    }

    static Facts facts(Service s) {
        var spec = s.getSpec();
        if (spec == null) {
            return new Facts("ClusterIP", false, List.of());
        }
        List<String> ips = new ArrayList<>();
        if (spec.getClusterIPs() != null) {
            ips.addAll(spec.getClusterIPs());
        }
        if (spec.getClusterIP() != null && !ips.contains(spec.getClusterIP())) {
            ips.add(spec.getClusterIP());
        }
        return new Facts(
                spec.getType() == null ? "ClusterIP" : spec.getType(),
                spec.getSelector() != null && !spec.getSelector().isEmpty(),
                List.copyOf(ips));
    }
}
