package dev.fledge.operator.gates.safety;

import dev.fledge.api.Labels;
import dev.fledge.api.ModelRelease;
import dev.fledge.operator.workload.Names;
import dev.fledge.operator.workload.ServerDefaults;

/** Where the canary of a release answers: by default its {@code <name>-canary} Service in the cluster. */
public interface CanaryEndpoint {
    String baseUrl(ModelRelease release);

    /** Where the stable version answers, for the comparison with stable: by default the canary's address with the track swapped. */
    default String stableBaseUrl(ModelRelease release) {
        return baseUrl(release).replace("-" + Labels.TRACK_CANARY + ".", "-" + Labels.TRACK_STABLE + ".");
    }

    static CanaryEndpoint clusterService(ServerDefaults defaults) {
        return mr -> "http://" + Names.trackService(mr, Labels.TRACK_CANARY) + "."
                + mr.getMetadata().getNamespace() + ".svc:"
                + defaults.port(mr.getSpec().getServer());
    }
}
