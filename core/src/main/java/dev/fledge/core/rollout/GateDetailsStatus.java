package dev.fledge.core.rollout;

import dev.fledge.api.status.CategoryCount;
import dev.fledge.api.status.EvidenceCount;
import dev.fledge.api.status.SuiteRefStatus;
import dev.fledge.api.status.SuiteRunStatus;
import java.util.List;

/** The status form of a verdict's safety details; null in, null out, so that other gates leave the fields absent. */
final class GateDetailsStatus {
    static final int MAX_CATEGORIES = 32;
    static final int MAX_EVIDENCE = 8;

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
                        .withCountedRun(r.countedRun())
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

    /** The newest {@link #MAX_EVIDENCE} tallies (the gate lists them oldest first). */
    static List<EvidenceCount> evidence(List<GateVerdict.Tally> ts) {
        return ts.stream()
                .skip(Math.max(0, ts.size() - MAX_EVIDENCE))
                .map(t -> new EvidenceCount()
                        .withSource(t.source())
                        .withSuite(t.suite())
                        .withVersion(t.version())
                        .withSamples(t.samples())
                        .withFlagged(t.flagged()))
                .toList();
    }
}
