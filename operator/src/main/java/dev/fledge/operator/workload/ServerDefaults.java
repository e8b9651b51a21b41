package dev.fledge.operator.workload;

import dev.fledge.api.spec.ServerSpec;
import dev.fledge.api.spec.UpstreamSpec;
import io.fabric8.kubernetes.api.model.Quantity;
import io.fabric8.kubernetes.api.model.ResourceRequirements;
import io.fabric8.kubernetes.api.model.ResourceRequirementsBuilder;
import java.util.LinkedHashMap;
import java.util.Map;

/**
 * Defaults of {@code spec.server}.
 *
 * @param proxyImage     the image of the Fledge sidecar in front of another server ({@code spec.server.upstream}),
 *                       unless the release names one
 * @param proxyResources the sidecar's requests and limits
 */
public record ServerDefaults(String image, int port, String proxyImage, ResourceRequirements proxyResources) {
    /** The sidecar's resources unless the operator is configured with others ({@code fledge.server.proxy-*}). */
    public static final ResourceRequirements DEFAULT_PROXY_RESOURCES = proxyResources("250m", "512Mi", null, "1Gi");

    public static final String CONTAINER = "model-server";
    /** The sidecar beside a model container of another server ({@code spec.server.upstream}). */
    public static final String PROXY_CONTAINER = "fledge-proxy";
    /** The model container's own port when it is another server: the sidecar forwards to it, Prometheus scrapes it. */
    public static final String UPSTREAM_PORT = "upstream";
    /** The container port every Service but the public one targets: the server honours the audience header there. */
    public static final String PORT = "http";
    /**
     * The container port where the model server counts every request as {@code public} (its {@code
     * fledge.public-port}): the replicas router's public Service targets it (security review 15, MED 3).
     */
    public static final String PUBLIC_PORT = "http-public";

    /** The public port beside a server port: the next one, or the one below for 65535. */
    public static int publicPort(int port) {
        return port < 65535 ? port + 1 : port - 1;
    }

    /** The sidecar's image defaults to the model server's. */
    public ServerDefaults(String image, int port) {
        this(image, port, image);
    }

    /** The sidecar's default resources ({@link #DEFAULT_PROXY_RESOURCES}). */
    public ServerDefaults(String image, int port, String proxyImage) {
        this(image, port, proxyImage, DEFAULT_PROXY_RESOURCES);
    }

    /**
     * The sidecar's requests and limits (ResourceQuota on limits refuses a pod whose containers set none); a null or
     * blank quantity is left out.
     */
    public static ResourceRequirements proxyResources(
            String cpuRequest, String memoryRequest, String cpuLimit, String memoryLimit) {
        return new ResourceRequirementsBuilder()
                .withRequests(quantities(cpuRequest, memoryRequest))
                .withLimits(quantities(cpuLimit, memoryLimit))
                .build();
    }

    private static Map<String, Quantity> quantities(String cpu, String memory) {
        Map<String, Quantity> q = new LinkedHashMap<>();
        if (cpu != null && !cpu.isBlank()) {
            q.put("cpu", new Quantity(cpu));
        }
        if (memory != null && !memory.isBlank()) {
            q.put("memory", new Quantity(memory));
        }
        return q;
    }

    /** {@code spec.server.upstream} with every default filled in; null without one. */
    public UpstreamSpec upstream(ServerSpec s) {
        UpstreamSpec u = s == null ? null : s.getUpstream();
        if (u == null) {
            return null;
        }
        return new UpstreamSpec()
                .withPort(u.getPort() == null ? UpstreamSpec.DEFAULT_PORT : u.getPort())
                .withReadinessPath(
                        u.getReadinessPath() == null ? UpstreamSpec.DEFAULT_READINESS_PATH : u.getReadinessPath())
                .withMetricsPath(u.getMetricsPath() == null ? UpstreamSpec.DEFAULT_METRICS_PATH : u.getMetricsPath())
                .withProxyImage(u.getProxyImage() == null ? proxyImage : u.getProxyImage());
    }

    public String image(ServerSpec s) {
        return s == null || s.getImage() == null ? image : s.getImage();
    }

    public int port(ServerSpec s) {
        return s == null || s.getPort() == null ? port : s.getPort();
    }
}
