package dev.fledge.cli;

import dev.fledge.api.ModelRelease;
import dev.fledge.api.status.ModelReleaseStatus;
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
        Table t = new Table("NAME", "PHASE", "STAGE", "CANARY%", "STABLE", "CANARY", "GATES", "AGE");
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

    private static String dash(String s) {
        return s == null || s.isBlank() ? "-" : s;
    }
}
