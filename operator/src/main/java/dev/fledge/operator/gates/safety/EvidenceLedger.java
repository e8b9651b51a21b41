package dev.fledge.operator.gates.safety;

import dev.fledge.operator.gates.bayes.Evidence;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;

/**
 * Suite evidence accumulated over the runs of one rollout (release, canary version, suite content): each run samples
 * the canary afresh, so runs add up. Kept in memory; after an operator restart the suite simply gathers it again,
 * which can only delay a pass.
 */
public final class EvidenceLedger {
    private static final int MAX_KEYS = 1000;
    private final Map<String, Evidence> totals = new ConcurrentHashMap<>();
    private final Map<String, String> lastRun = new ConcurrentHashMap<>();

    public Evidence add(String key, Evidence run) {
        if (totals.size() > MAX_KEYS) {
            totals.clear();
            lastRun.clear();
        }
        return totals.merge(key, run, Evidence::plus);
    }

    /**
     * Adds the evidence of the run {@code runId} unless it was the last one added under {@code key}: a suite result
     * is handed out again when the status write that recorded it failed, and must not count twice.
     */
    public Evidence addOnce(String key, String runId, Evidence run) {
        if (runId.equals(lastRun.put(key, runId))) {
            return total(key);
        }
        return add(key, run);
    }

    /** The evidence so far under {@code key}, none if unknown. */
    public Evidence total(String key) {
        return totals.getOrDefault(key, Evidence.none());
    }
}
