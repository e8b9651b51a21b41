package dev.fledge.operator.gates.safety;

import dev.fledge.api.ModelRelease;
import dev.fledge.api.status.EvidenceCount;
import dev.fledge.api.status.GateResult;
import dev.fledge.api.status.ModelReleaseStatus;
import dev.fledge.api.status.SuiteRunStatus;
import dev.fledge.core.rollout.GateVerdict;
import java.util.ArrayList;

/**
 * For gate tests without the engine: writes a verdict's rollout evidence, suite runs and report into the release's
 * status as the engine's {@code GateLedger} does (null evidence leaves status as it is). The mock-API-server tests use the engine itself.
 */
final class RecordedVerdicts {
    private RecordedVerdicts() {}

    static void record(ModelRelease mr, GateVerdict v) {
        if (mr.getStatus() == null) {
            mr.setStatus(new ModelReleaseStatus());
        }
        if (mr.getStatus().getGates() == null) {
            mr.getStatus().setGates(new ArrayList<>());
        }
        GateResult r = mr.getStatus().getGates().stream()
                .filter(g -> v.name().equals(g.getName()))
                .findFirst()
                .orElseGet(() -> {
                    GateResult g = new GateResult().withName(v.name());
                    mr.getStatus().getGates().add(g);
                    return g;
                });
        r.withVerdict(v.verdict())
                .withSamples(v.samples())
                .withFlagged(v.flagged())
                .withReport(v.report());
        GateVerdict.SuiteRun run = v.suiteRun();
        r.withSuiteRun(
                run == null
                        ? null
                        : new SuiteRunStatus()
                                .withState(run.running() ? "Running" : "Done")
                                .withVersion(run.version())
                                .withStage(run.stage())
                                .withSuiteHash(run.suiteHash())
                                .withRuns(run.runs())
                                .withCountedRun(run.countedRun())
                                .withStartedAt(run.running() ? run.startedAt() : null));
        if (v.evidence() != null) {
            r.withEvidence(v.evidence().stream()
                    .map(t -> new EvidenceCount()
                            .withSource(t.source())
                            .withSuite(t.suite())
                            .withVersion(t.version())
                            .withSamples(t.samples())
                            .withFlagged(t.flagged()))
                    .toList());
        }
    }
}
