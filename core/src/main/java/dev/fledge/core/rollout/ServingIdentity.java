package dev.fledge.core.rollout;

import dev.fledge.api.status.ModelReleaseStatus;

/**
 * A track's identity: its model version and the hash of its serving configuration ({@code configHash}). A spec whose
 * version or configuration differs from the canary's starts a rollout; only a promotion changes the stable one. A
 * null hash on either side is unknown (a status written before hashes were recorded, or a plan without one) and
 * matches any. The operator therefore fills a status hash an older operator did not record in from the live
 * Deployments before it decides (a track it cannot read gets a hash that matches nothing).
 *
 * @param version    the model version
 * @param configHash hash of the serving configuration, null when unknown
 */
public record ServingIdentity(String version, String configHash) {

    /** What the stable Deployment must run now: the recorded stable configuration, or the canary's while promoting. */
    public static ServingIdentity stableWanted(ModelReleaseStatus st) {
        return Stage.fromWire(st.getStage()) == Stage.PROMOTING
                ? new ServingIdentity(st.getCanaryVersion(), st.getCanaryConfigHash())
                : new ServingIdentity(st.getStableVersion(), stableHash(st));
    }

    /** What the canary of this plan runs. */
    public static ServingIdentity of(Plan plan) {
        return new ServingIdentity(plan.version(), plan.configHash());
    }

    static String stableHash(ModelReleaseStatus st) {
        return st.getStable() == null ? null : st.getStable().getConfigHash();
    }

    /** Same version, and the same configuration as far as both are known. */
    public boolean matches(String otherVersion, String otherHash) {
        return version != null
                && version.equals(otherVersion)
                && (configHash == null || otherHash == null || configHash.equals(otherHash));
    }
}
