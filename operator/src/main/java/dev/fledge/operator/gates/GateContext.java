package dev.fledge.operator.gates;

import dev.fledge.api.ModelRelease;
import dev.fledge.core.rollout.Plan;
import dev.fledge.core.rollout.Stage;
import java.time.Instant;

/**
 * What a gate may look at: the release, its resolved plan, the current stage and the audience whose traffic the
 * canary serves in it ({@code public} for the public stage, none in preflight).
 */
public record GateContext(
        ModelRelease release,
        Plan plan,
        Stage stage,
        String audience,
        String stableVersion,
        String canaryVersion,
        Instant now) {

    /** The same context at another time. */
    public GateContext withNow(Instant at) {
        return new GateContext(release, plan, stage, audience, stableVersion, canaryVersion, at);
    }
}
