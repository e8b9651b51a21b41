package dev.fledge.cli;

import dev.fledge.api.status.ModelReleaseStatus;
import dev.fledge.api.status.Phase;
import dev.fledge.api.status.StageRecord;
import dev.fledge.core.rollout.Stage;
import java.util.List;
import java.util.Optional;

/**
 * The history records of the rollout a release is in, or last ended: the running canary's, else the rolled-back
 * version's, else the promoted stable's. They run from that version's last {@code preflight} record on.
 */
record RolloutRecords(String version, List<StageRecord> records) {

    static RolloutRecords of(ModelReleaseStatus st) {
        String version = st.getCanaryVersion();
        if (version == null && (st.getPhase() == Phase.ROLLED_BACK || st.getPhase() == Phase.FAILED)) {
            version = st.getRolledBackVersion();
        }
        if (version == null && st.getPhase() == Phase.PROMOTED) {
            version = st.getStableVersion();
        }
        List<StageRecord> history = st.getHistory() == null ? List.of() : st.getHistory();
        if (version == null) {
            return new RolloutRecords(null, List.of());
        }
        int start = -1;
        for (int i = history.size() - 1; i >= 0; i--) {
            StageRecord r = history.get(i);
            if (version.equals(r.getVersion()) && Stage.PREFLIGHT.wireName().equals(r.getStage())) {
                start = i;
                break;
            }
        }
        if (start < 0) {
            return new RolloutRecords(version, List.of());
        }
        String v = version;
        List<StageRecord> run = history.subList(start, history.size()).stream()
                .filter(r -> v.equals(r.getVersion()))
                .toList();
        return new RolloutRecords(version, run);
    }

    /** The last record of {@code stage} in this rollout. */
    Optional<StageRecord> last(Stage stage) {
        for (int i = records.size() - 1; i >= 0; i--) {
            if (stage.wireName().equals(records.get(i).getStage())) {
                return Optional.of(records.get(i));
            }
        }
        return Optional.empty();
    }
}
