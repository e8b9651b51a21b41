package dev.fledge.core.rollout;

import dev.fledge.api.status.ModelReleaseStatus;
import dev.fledge.api.status.StageRecord;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;

/** {@code status.history}: a record per stage entered, closed with its result; the last {@link RolloutEngine#HISTORY_LIMIT} kept. */
final class StageHistory {
    private final ModelReleaseStatus st;
    private final Instant now;

    StageHistory(ModelReleaseStatus st, Instant now) {
        this.st = st;
        this.now = now;
    }

    void entered(Stage stage, String version) {
        add(new StageRecord().withStage(stage.wireName()).withVersion(version).withEnteredAt(now.toString()));
    }

    /** The closing record of a rollout: the version became stable. */
    void promoted(String version) {
        add(new StageRecord()
                .withStage("promoted")
                .withVersion(version)
                .withEnteredAt(now.toString())
                .withLeftAt(now.toString())
                .withResult("Promoted"));
    }

    /** Closes the open record of the current stage (none while promoting) with {@code result} and {@code why}. */
    void closeCurrent(String result, String why) {
        if (st.getStage() == null || Stage.fromWire(st.getStage()) == Stage.PROMOTING) {
            return;
        }
        for (int i = records().size() - 1; i >= 0; i--) {
            StageRecord r = records().get(i);
            if (r.getStage().equals(st.getStage()) && r.getLeftAt() == null) {
                r.withLeftAt(now.toString()).withResult(result).withReason(why);
                return;
            }
        }
    }

    private void add(StageRecord record) {
        records().add(record);
        while (records().size() > RolloutEngine.HISTORY_LIMIT) {
            records().remove(0);
        }
    }

    private List<StageRecord> records() {
        if (st.getHistory() == null) {
            st.setHistory(new ArrayList<>());
        }
        return st.getHistory();
    }
}
