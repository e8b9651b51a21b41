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

    public Evidence add(String key, Evidence run) {
        if (totals.size() > MAX_KEYS) {
            totals.clear();
        }
        return totals.merge(key, run, Evidence::plus);
    }
}
