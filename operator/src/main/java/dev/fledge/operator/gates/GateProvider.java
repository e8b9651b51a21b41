package dev.fledge.operator.gates;

import dev.fledge.api.ModelRelease;
import dev.fledge.core.rollout.Plan;
import java.util.List;

/** Builds the gates a release configures; one gate per name in {@link Plan#gates()}. */
public interface GateProvider {
    List<Gate> gates(ModelRelease release, Plan plan);

    /** Evidence that arrives between reconciles (suite runs) wakes the release through these; none by default. */
    default GateWakeups wakeups() {
        return new GateWakeups();
    }

    /** The release was deleted: whatever the gates hold for it (a queued or running suite run) goes. */
    default void forget(String namespace, String name) {}
}
