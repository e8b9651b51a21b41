package dev.fledge.operator.workload;

import dev.fledge.api.Labels;
import dev.fledge.api.ModelRelease;
import io.fabric8.kubernetes.api.model.IntOrString;
import io.fabric8.kubernetes.api.model.Service;
import io.fabric8.kubernetes.api.model.ServiceBuilder;
import java.util.LinkedHashMap;
import java.util.Map;

/** A ClusterIP Service in front of the release's pods, selecting one track or both. */
public final class DesiredService {
    private final ServerDefaults defaults;

    public DesiredService(ServerDefaults defaults) {
        this.defaults = defaults;
    }

    /**
     * The pods of the release's {@code track} ({@code stable}, {@code canary}), or of both tracks for null: what its
     * Services select, and its InferencePools.
     */
    public static Map<String, String> selector(ModelRelease mr, String track) {
        Map<String, String> selector = new LinkedHashMap<>();
        selector.put(Labels.RELEASE, mr.getMetadata().getName());
        if (track != null) {
            selector.put(Labels.TRACK, track);
        }
        return selector;
    }

    /** @param track {@code stable}, {@code canary}, or null for both tracks */
    public Service build(ModelRelease mr, String name, String track) {
        return build(mr, name, track, ServerDefaults.PORT);
    }

    /**
     * @param track {@code stable}, {@code canary}, or null for both tracks
     * @param targetPort the container port's name: {@link ServerDefaults#PORT}, or {@link ServerDefaults#PUBLIC_PORT}
     *     for the replicas router's public Service
     */
    public Service build(ModelRelease mr, String name, String track, String targetPort) {
        Map<String, String> selector = selector(mr, track);
        int port = defaults.port(mr.getSpec().getServer());
        return new ServiceBuilder()
                .withMetadata(Owned.meta(mr, name, Map.of()))
                .withNewSpec()
                .withType("ClusterIP")
                .withSelector(selector)
                .addNewPort()
                .withName("http")
                .withPort(port)
                .withTargetPort(new IntOrString(targetPort))
                .withProtocol("TCP")
                .endPort()
                .endSpec()
                .build();
    }
}
