package dev.fledge.core.rollout;

import java.util.Set;

/**
 * Where each audience's requests should go.
 *
 * @param stableVersion     version the stable Deployment must run (null when there is none yet)
 * @param canaryVersion     version of the canary Deployment, null when no canary should run
 * @param canaryAudiences   audiences ({@code internal}, {@code closed}) routed to the canary
 * @param publicCanaryWeight percent of public traffic on the canary
 */
public record TrafficSplit(
        String stableVersion, String canaryVersion, Set<String> canaryAudiences, int publicCanaryWeight) {

    public static TrafficSplit stableOnly(String stableVersion) {
        return new TrafficSplit(stableVersion, null, Set.of(), 0);
    }

    public boolean canaryRunning() {
        return canaryVersion != null;
    }

    public boolean audienceOnCanary(String audience) {
        return canaryAudiences.contains(audience);
    }
}
