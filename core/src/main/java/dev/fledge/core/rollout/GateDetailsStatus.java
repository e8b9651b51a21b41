package dev.fledge.core.rollout;

import dev.fledge.api.status.CategoryCount;
import dev.fledge.api.status.SuiteRefStatus;
import dev.fledge.api.status.SuiteRunStatus;
import java.util.List;

/** The status form of a verdict's safety details; null in, null out, so that other gates leave the fields absent. */
final class GateDetailsStatus {
    static final int MAX_CATEGORIES = 32;

    private GateDetailsStatus() {}

    static SuiteRefStatus suite(GateVerdict.Suite s) {
        return s == null
                ? null
                : new SuiteRefStatus().withName(s.name()).withHash(s.hash()).withPrompts(s.prompts());
    }

    static SuiteRunStatus suiteRun(GateVerdict.SuiteRun r) {
        return r == null
                ? null
                : new SuiteRunStatus()
                        .withState(r.running() ? "Running" : "Done")
                        .withVersion(r.version())
                        .withStage(r.stage())
                        .withSuiteHash(r.suiteHash())
                        .withRuns(r.runs())
                        .withStartedAt(r.running() ? r.startedAt() : null);
    }

    static List<CategoryCount> categories(List<GateVerdict.Category> cs) {
        if (cs == null || cs.isEmpty()) {
            return null;
        }
        return cs.stream()
                .limit(MAX_CATEGORIES)
                .map(c -> new CategoryCount()
                        .withName(c.name())
                        .withSource(c.source())
                        .withSamples(c.samples())
                        .withFlagged(c.flagged()))
                .toList();
    }
}
