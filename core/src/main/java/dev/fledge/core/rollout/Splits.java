package dev.fledge.core.rollout;

import dev.fledge.api.status.ModelReleaseStatus;
import dev.fledge.api.status.Phase;
import java.util.LinkedHashSet;
import java.util.Set;

/**
 * Derives the traffic split from the status alone (so a restart routes exactly as before). An audience stays on
 * the canary from its own stage on: internal from {@code internal}, closed from {@code closed}; the public share
 * is the status's canaryWeight. In the shadow stage no audience is on the canary, and the route mirrors the status's
 * {@code mirrorPercent} of the requests of {@code mirrorFrom} to it. The stable Deployment runs the recorded {@code status.stable}; while promoting, it
 * already takes the new version with the canary's serving configuration. A release that is {@code Invalid} in a stage
 * with users ({@link #heldAtStable}) sends every audience to stable and keeps its canary's pods: no gate runs for an
 * invalid spec, so the canary serves nobody until the spec is valid again.
 */
public final class Splits {
    private Splits() {}

    public static TrafficSplit of(ModelReleaseStatus st) {
        if (st.getCanaryVersion() == null || st.getStage() == null) {
            return new TrafficSplit(st.getStableVersion(), st.getStable(), null, Set.of(), 0);
        }
        Stage stage = Stage.fromWire(st.getStage());
        if (heldAtStable(st)) {
            return new TrafficSplit(st.getStableVersion(), st.getStable(), st.getCanaryVersion(), Set.of(), 0);
        }
        Set<String> audiences = new LinkedHashSet<>();
        for (Stage audience : Stage.AUDIENCES) {
            if (stage != null && stage.atOrAfter(audience)) {
                audiences.add(audience.wireName());
            }
        }
        boolean promoting = stage == Stage.PROMOTING;
        int weight = st.getCanaryWeight() == null ? 0 : st.getCanaryWeight();
        boolean shadow = stage == Stage.SHADOW && st.getMirrorPercent() != null && st.getMirrorFrom() != null;
        return new TrafficSplit(
                promoting ? st.getCanaryVersion() : st.getStableVersion(),
                promoting ? null : st.getStable(),
                st.getCanaryVersion(),
                Set.copyOf(audiences),
                weight,
                shadow ? st.getMirrorPercent() : 0,
                shadow ? Set.copyOf(st.getMirrorFrom()) : Set.of());
    }

    /** An invalid release whose rollout had users on the canary: they all go back to stable until the spec is valid. */
    public static boolean heldAtStable(ModelReleaseStatus st) {
        return st.getPhase() == Phase.INVALID
                && st.getCanaryVersion() != null
                && st.getStableVersion() != null // a first release has no stable to go back to: it keeps its users
                && Stage.gatedWithUsers(Stage.fromWire(st.getStage()));
    }
}
