package dev.fledge.operator.gates.safety;

import dev.fledge.api.Labels;
import dev.fledge.api.ModelRelease;
import dev.fledge.operator.workload.Names;
import dev.fledge.operator.workload.ServerDefaults;

/** Where the canary of a release answers: by default its {@code <name>-canary} Service in the cluster. */
public interface CanaryEndpoint {
    String baseUrl(ModelRelease release);

    static CanaryEndpoint clusterService(ServerDefaults defaults) {
        return mr -> "http://" + Names.trackService(mr, Labels.TRACK_CANARY) + "." + mr.getMetadata().getNamespace()
                + ".svc:" + defaults.port(mr.getSpec().getServer());
    }
}
