package dev.fledge.core.rollout;

import dev.fledge.api.status.ServingStatus;
import java.util.Set;

/**
 * Where each audience's requests should go, and what the stable track runs.
 *
 * @param stableVersion     version the stable Deployment must run (null when there is none yet)
 * @param stableServing     the recorded serving configuration the stable Deployment must run ({@code status.stable});
 *                          null while promoting (stable takes the canary's, which is the spec's) or when none is
 *                          recorded (a release promoted before {@code status.stable} existed)
 * @param canaryVersion     version of the canary Deployment, null when no canary should run
 * @param canaryAudiences   audiences ({@code internal}, {@code closed}) routed to the canary
 * @param publicCanaryWeight percent of public traffic on the canary
 */
public record TrafficSplit(
        String stableVersion,
        ServingStatus stableServing,
        String canaryVersion,
        Set<String> canaryAudiences,
        int publicCanaryWeight) {

    /** A split whose stable track runs the spec's serving configuration (no recorded one). */
    public TrafficSplit(
            String stableVersion, String canaryVersion, Set<String> canaryAudiences, int publicCanaryWeight) {
        this(stableVersion, null, canaryVersion, canaryAudiences, publicCanaryWeight);
    }

    public static TrafficSplit stableOnly(String stableVersion) {
        return new TrafficSplit(stableVersion, null, Set.of(), 0);
    }

    public boolean canaryRunning() {
        return canaryVersion != null;
    }

    /** Whether no audience and no public share is routed to the canary (there may still be canary pods). */
    public boolean sendsNoUsersToCanary() {
        return !canaryRunning() || (canaryAudiences.isEmpty() && publicCanaryWeight == 0);
    }

    public boolean audienceOnCanary(String audience) {
        return canaryAudiences.contains(audience);
    }
}
