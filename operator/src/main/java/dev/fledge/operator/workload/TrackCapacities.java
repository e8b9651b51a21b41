package dev.fledge.operator.workload;

import dev.fledge.api.status.CapacityStatus;
import dev.fledge.api.status.TrackCapacity;
import io.fabric8.kubernetes.api.model.Container;
import io.fabric8.kubernetes.api.model.PodTemplateSpec;
import io.fabric8.kubernetes.api.model.Quantity;
import io.fabric8.kubernetes.api.model.ResourceRequirements;
import io.fabric8.kubernetes.api.model.apps.Deployment;
import java.math.BigDecimal;
import java.math.RoundingMode;
import java.util.Map;

/**
 * Each track's size for {@code status.capacity}: the Deployment's replicas, its ready replicas, and the GPUs its pods
 * request. A pod's GPUs are the sum, over its containers and init containers, of every resource whose name ends in
 * {@code /gpu} ({@code nvidia.com/gpu}, {@code amd.com/gpu}, ...), from the container's requests, else its limits (the
 * API server copies a limit of an extended resource into the request it leaves unset). Pure.
 */
public final class TrackCapacities {
    private static final String GPU_SUFFIX = "/gpu";

    private TrackCapacities() {}

    /** Both tracks; a track without a Deployment is absent. */
    public static CapacityStatus of(Deployment stable, Deployment canary) {
        return of(stable, canary, null);
    }

    /** Both tracks, with {@code spec.server.replicas} of this (valid) pass. */
    public static CapacityStatus of(Deployment stable, Deployment canary, Integer replicas) {
        return new CapacityStatus(of(stable), of(canary), replicas);
    }

    /** One Deployment's size, or null when there is none. */
    public static TrackCapacity of(Deployment d) {
        if (d == null || d.getSpec() == null) {
            return null;
        }
        int replicas = d.getSpec().getReplicas() == null ? 1 : d.getSpec().getReplicas();
        int ready = d.getStatus() == null || d.getStatus().getReadyReplicas() == null
                ? 0
                : d.getStatus().getReadyReplicas();
        return new TrackCapacity(replicas, ready, gpusPerPod(d.getSpec().getTemplate()) * replicas);
    }

    /** The GPUs one pod of {@code template} requests. */
    public static long gpusPerPod(PodTemplateSpec template) {
        if (template == null || template.getSpec() == null) {
            return 0;
        }
        long sum = 0;
        for (Container c : template.getSpec().getContainers()) {
            sum += gpus(c.getResources());
        }
        long init = 0; // init containers run one at a time, before the others: the pod needs the largest of them
        for (Container c : template.getSpec().getInitContainers()) {
            init = Math.max(init, gpus(c.getResources()));
        }
        return Math.max(sum, init);
    }

    private static long gpus(ResourceRequirements r) {
        if (r == null) {
            return 0;
        }
        long sum = 0;
        Map<String, Quantity> requests = r.getRequests() == null ? Map.of() : r.getRequests();
        Map<String, Quantity> limits = r.getLimits() == null ? Map.of() : r.getLimits();
        for (String name : names(requests, limits)) {
            Quantity q = requests.containsKey(name) ? requests.get(name) : limits.get(name);
            sum += whole(q);
        }
        return sum;
    }

    private static java.util.Set<String> names(Map<String, Quantity> requests, Map<String, Quantity> limits) {
        java.util.Set<String> names = new java.util.TreeSet<>();
        requests.keySet().stream().filter(n -> n.endsWith(GPU_SUFFIX)).forEach(names::add);
        limits.keySet().stream().filter(n -> n.endsWith(GPU_SUFFIX)).forEach(names::add);
        return names;
    }

    private static long whole(Quantity q) {
        if (q == null) {
            return 0;
        }
        BigDecimal amount = Quantity.getAmountInBytes(q);
        return amount.setScale(0, RoundingMode.CEILING).longValueExact();
    }
}
