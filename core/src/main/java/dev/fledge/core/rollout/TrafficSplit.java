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
 * @param mirrorPercent     shadow stage: percent of the requests of {@code mirrorFrom} whose copies are sent to the
 *                          canary as well (its answers to them reach no one); 0 otherwise
 * @param mirrorFrom        shadow stage: the audiences ({@code public}, {@code internal}) whose requests are mirrored
 */
public record TrafficSplit(
        String stableVersion,
        ServingStatus stableServing,
        String canaryVersion,
        Set<String> canaryAudiences,
        int publicCanaryWeight,
        int mirrorPercent,
        Set<String> mirrorFrom) {

    public TrafficSplit {
        canaryAudiences = Set.copyOf(canaryAudiences);
        mirrorFrom = Set.copyOf(mirrorFrom);
    }

    /** A split that mirrors nothing. */
    public TrafficSplit(
            String stableVersion,
            ServingStatus stableServing,
            String canaryVersion,
            Set<String> canaryAudiences,
            int publicCanaryWeight) {
        this(stableVersion, stableServing, canaryVersion, canaryAudiences, publicCanaryWeight, 0, Set.of());
    }

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

    /**
     * Whether no audience and no public share is routed to the canary (there may still be canary pods, and mirrored
     * copies of requests, whose answers reach no user: see {@link #mirrors(String)}).
     */
    public boolean sendsNoUsersToCanary() {
        return !canaryRunning() || (canaryAudiences.isEmpty() && publicCanaryWeight == 0);
    }

    /** The percent of {@code audience}'s requests mirrored to the canary; 0 when none is. */
    public int mirrors(String audience) {
        return canaryRunning() && mirrorFrom.contains(audience) ? mirrorPercent : 0;
    }

    /** Whether copies of some audience's requests go to the canary (the shadow stage). */
    public boolean mirrorsAny() {
        return canaryRunning() && mirrorPercent > 0 && !mirrorFrom.isEmpty();
    }

    /** This split with no request mirrored: the same users on the same tracks. */
    public TrafficSplit withoutMirror() {
        return new TrafficSplit(stableVersion, stableServing, canaryVersion, canaryAudiences, publicCanaryWeight);
    }

    public boolean audienceOnCanary(String audience) {
        return canaryAudiences.contains(audience);
    }
}
