package dev.fledge.cli;

import dev.fledge.api.ModelRelease;
import dev.fledge.api.status.CapacityStatus;
import dev.fledge.api.status.ModelReleaseStatus;
import dev.fledge.api.status.TrackCapacity;
import dev.fledge.core.rollout.Stage;
import java.time.Duration;
import java.time.Instant;
import java.util.List;

/** {@code kubectl fledge get}: the releases of a namespace, one line each. */
final class ReleaseList {
    private final Style style;

    ReleaseList(Style style) {
        this.style = style;
    }

    String render(List<ModelRelease> releases, String namespace, Instant now) {
        if (releases.isEmpty()) {
            return "No ModelReleases found in namespace \"" + namespace + "\".\n";
        }
        Table t = new Table("NAME", "PHASE", "STAGE", "CANARY%", "STABLE", "CANARY", "PODS", "GPUS", "GATES", "AGE");
        for (ModelRelease mr : releases) {
            ModelReleaseStatus st = mr.getStatus() == null ? new ModelReleaseStatus() : mr.getStatus();
            String created = mr.getMetadata().getCreationTimestamp();
            t.row(
                    mr.getMetadata().getName(),
                    st.getPhase() == null
                            ? "-"
                            : style.phase(st.getPhase(), st.getPhase().wireName()),
                    stage(st),
                    st.getCanaryWeight() == null ? "0" : st.getCanaryWeight().toString(),
                    dash(st.getStableVersion()),
                    dash(st.getCanaryVersion()),
                    pods(st.getCapacity()),
                    gpus(st.getCapacity()),
                    dash(st.getLastGate()),
                    created == null ? "-" : Durations.age(Duration.between(Instant.parse(created), now)));
        }
        return t.render();
    }

    private static String stage(ModelReleaseStatus st) {
        if (st.getStage() == null) {
            return "-";
        }
        return Stage.PUBLIC.wireName().equals(st.getStage()) && st.getStep() != null
                ? st.getStage() + " #" + (st.getStep() + 1)
                : st.getStage();
    }

    /**
     * Each track's ready/desired pods, stable+canary ({@code 3/3+2/2}; a track without a Deployment is {@code -}), from
     * {@code status.capacity}; {@code -} when the operator records none (a release without GPUs or canary capacity).
     */
    private static String pods(CapacityStatus c) {
        if (c == null || (c.getStable() == null && c.getCanary() == null)) {
            return "-";
        }
        return pods(c.getStable()) + "+" + pods(c.getCanary());
    }

    private static String pods(TrackCapacity t) {
        return t == null ? "-" : value(t.getReadyReplicas()) + "/" + value(t.getReplicas());
    }

    /** The GPUs each track's pods request, stable+canary; {@code -} when none does. */
    private static String gpus(CapacityStatus c) {
        if (c == null) {
            return "-";
        }
        long stable = c.getStable() == null || c.getStable().getGpus() == null
                ? 0
                : c.getStable().getGpus();
        long canary = c.getCanary() == null || c.getCanary().getGpus() == null
                ? 0
                : c.getCanary().getGpus();
        return stable + canary == 0 ? "-" : stable + "+" + canary;
    }

    private static int value(Integer i) {
        return i == null ? 0 : i;
    }

    private static String dash(String s) {
        return s == null || s.isBlank() ? "-" : s;
    }
}
