package dev.fledge.operator.routing;

import dev.fledge.api.Labels;
import dev.fledge.api.ModelRelease;
import dev.fledge.api.spec.GatewayApiSpec;
import dev.fledge.api.spec.InferencePoolFailureMode;
import dev.fledge.api.spec.InferencePoolSpec;
import dev.fledge.api.status.ServingStatus;
import dev.fledge.core.rollout.TrafficSplit;
import dev.fledge.operator.workload.DesiredService;
import dev.fledge.operator.workload.Names;
import dev.fledge.operator.workload.Owned;
import dev.fledge.operator.workload.ServerDefaults;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Optional;

/**
 * The InferencePools of a release whose gatewayAPI router routes to pools ({@code
 * spec.traffic.gatewayAPI.inferencePool}), pure: one per track, named as the track's Service ({@code x-stable}, {@code
 * x-canary}), selecting the pods the track's Service selects, on the port they listen on, each asking its own
 * endpoint picker (an endpoint picker serves one pool).
 */
final class InferencePools {
    static final List<String> TRACKS = List.of(Labels.TRACK_STABLE, Labels.TRACK_CANARY);

    private final ServerDefaults defaults;

    InferencePools(ServerDefaults defaults) {
        this.defaults = defaults;
    }

    /** Whether the release routes to pools. */
    static boolean used(ModelRelease mr) {
        return settings(mr).isPresent();
    }

    private static Optional<InferencePoolSpec> settings(ModelRelease mr) {
        GatewayApiSpec g = mr.getSpec().getTraffic() == null
                ? null
                : mr.getSpec().getTraffic().getGatewayAPI();
        return Optional.ofNullable(g == null ? null : g.getInferencePool());
    }

    /**
     * The release's pools, stable first; none when it does not route to pools. Each pool targets the port its track's
     * pods listen on: a pool names a port number, not the container port's name as a Service does, so the stable
     * pool keeps the recorded stable's port ({@code split.stableServing()}) through a rollout that changes {@code
     * spec.server.port}, and the canary's is the spec's.
     */
    List<InferencePool> desired(ModelRelease mr, TrafficSplit split) {
        Optional<InferencePoolSpec> spec = settings(mr);
        if (spec.isEmpty()) {
            return List.of();
        }
        List<InferencePool> out = new ArrayList<>();
        for (String track : TRACKS) {
            ServingStatus recorded = Labels.TRACK_STABLE.equals(track) ? split.stableServing() : null;
            int port = recorded == null
                    ? defaults.port(mr.getSpec().getServer())
                    : recorded.getPort() == null ? defaults.port(null) : recorded.getPort();
            InferencePool pool = new InferencePool();
            pool.setMetadata(Owned.meta(mr, Names.trackService(mr, track), Map.of()));
            pool.setSpec(new InferencePool.Spec(
                    new InferencePool.Selector(DesiredService.selector(mr, track)),
                    List.of(new InferencePool.Port(port)),
                    new InferencePool.EndpointPickerRef(
                            endpointPicker(mr, track),
                            new InferencePool.Port(port(spec.get())),
                            failureMode(spec.get()).wireName())));
            out.add(pool);
        }
        return out;
    }

    /** The Service of a track's endpoint picker: the one the spec names, else {@code <pool>-epp}. */
    static String endpointPicker(ModelRelease mr, String track) {
        InferencePoolSpec spec = settings(mr).orElseThrow();
        String named =
                Labels.TRACK_STABLE.equals(track) ? spec.getStableEndpointPicker() : spec.getCanaryEndpointPicker();
        return named != null ? named : Names.trackService(mr, track) + InferencePoolSpec.ENDPOINT_PICKER_SUFFIX;
    }

    /**
     * What is wrong with the release's pool settings that the CRD cannot say: a default endpoint picker name longer
     * than a Service name may be (a release name over 52 characters), or one picker for both pools.
     */
    static List<String> errors(ModelRelease mr) {
        if (!used(mr)) {
            return List.of();
        }
        List<String> errors = new ArrayList<>();
        for (String track : TRACKS) {
            String name = endpointPicker(mr, track);
            if (name.length() > 63) {
                errors.add("spec.traffic.gatewayAPI.inferencePool." + track + "EndpointPicker: the default " + name
                        + " is longer than 63 characters; name the endpoint picker's Service");
            }
        }
        if (endpointPicker(mr, Labels.TRACK_STABLE).equals(endpointPicker(mr, Labels.TRACK_CANARY))) {
            errors.add("spec.traffic.gatewayAPI.inferencePool.canaryEndpointPicker: the same Service as the stable"
                    + " pool's; an endpoint picker serves one pool (its --pool-name), so each pool needs its own");
        }
        return errors;
    }

    private static int port(InferencePoolSpec spec) {
        return spec.getEndpointPickerPort() == null
                ? InferencePoolSpec.DEFAULT_ENDPOINT_PICKER_PORT
                : spec.getEndpointPickerPort();
    }

    private static InferencePoolFailureMode failureMode(InferencePoolSpec spec) {
        return spec.getFailureMode() == null ? InferencePoolFailureMode.FAIL_CLOSE : spec.getFailureMode();
    }
}
