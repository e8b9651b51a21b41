package dev.fledge.core.rollout;

import dev.fledge.api.status.GateResult;
import dev.fledge.api.status.ModelReleaseStatus;
import dev.fledge.api.status.Verdict;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.Optional;
import java.util.stream.Collectors;

/**
 * {@code status.gates}: the latest verdict and evidence of each gate, and its failures counted in the current stage
 * (reset when a stage begins).
 * Says which verdicts end the rollout and whether the gates of a stage have passed.
 */
final class GateLedger {
    private final ModelReleaseStatus st;
    private final Plan plan;
    private final Instant now;

    GateLedger(ModelReleaseStatus st, Plan plan, Instant now) {
        this.st = st;
        this.plan = plan;
        this.now = now;
    }

    /** A failed gate that ends the rollout, with the message of the rollback. */
    record Failure(EventReason reason, String message) {}

    /** Records this round's verdicts; a failed verdict adds one to its gate's failures. */
    void record(List<GateVerdict> verdicts) {
        st.setLastAnalysisAt(now.toString());
        for (GateVerdict v : verdicts) {
            GateResult r = gate(v.name());
            if (v.repeats(r)) {
                continue; // the same reading still on its way: recorded already, its time stays
            }
            int failures = (r.getFailures() == null ? 0 : r.getFailures()) + (v.verdict() == Verdict.FAIL ? 1 : 0);
            r.withKind(v.kind())
                    .withVerdict(v.verdict())
                    .withCritical(v.critical() ? true : null)
                    .withReason(v.reason())
                    .withValue(v.value())
                    .withSamples(v.samples())
                    .withFlagged(v.flagged())
                    .withPosteriorMean(v.posteriorMean())
                    .withUpperBound(v.upperBound())
                    .withPAboveMax(v.pAboveMax())
                    .withSuite(GateDetailsStatus.suite(v.suite()))
                    .withCategories(GateDetailsStatus.categories(v.categories()))
                    .withReport(v.report())
                    .withSuiteRun(GateDetailsStatus.suiteRun(v.suiteRun()))
                    .withFailures(failures)
                    .withAt(now.toString());
            if (v.evidence() != null) {
                r.withEvidence(GateDetailsStatus.evidence(v.evidence())); // null: nothing new, the evidence stays
            }
        }
    }

    /** The first critical failure among {@code verdicts}, else the first failed gate that reached its failureLimit. */
    Optional<Failure> rollbackCause(List<GateVerdict> verdicts) {
        for (GateVerdict v : verdicts) {
            if (v.verdict() == Verdict.FAIL && v.critical()) {
                return Optional.of(new Failure(EventReason.CriticalGateFailed, Messages.criticalFailure(v)));
            }
        }
        for (GateVerdict v : verdicts) {
            GateResult r = gate(v.name());
            int limit = plan.gates().stream()
                    .filter(g -> g.name().equals(v.name()))
                    .mapToInt(GatePlan::failureLimit)
                    .findFirst()
                    .orElse(1);
            if (v.verdict() == Verdict.FAIL && r.getFailures() >= limit) {
                return Optional.of(
                        new Failure(EventReason.GateFailed, Messages.overFailureLimit(v, r.getFailures(), limit)));
            }
        }
        return Optional.empty();
    }

    /** Whether every gate of {@code stage} gave Pass after {@code start}. */
    boolean allPassedSince(Stage stage, Instant start) {
        return plan.gatesFor(stage).stream().allMatch(g -> {
            GateResult r = find(g.name());
            return r != null && r.getVerdict() == Verdict.PASS && at(r).isAfter(start);
        });
    }

    /** The gates of {@code stage} with no Pass since {@code start}: what {@link #allPassedSince} waits for. */
    List<String> pending(Stage stage, Instant start) {
        return plan.gatesFor(stage).stream()
                .map(GatePlan::name)
                .filter(n -> {
                    GateResult r = find(n);
                    return r == null || r.getVerdict() != Verdict.PASS || !at(r).isAfter(start);
                })
                .toList();
    }

    /** When a verdict was given; one with no time (a status edited by hand) counts as given at the epoch. */
    private static Instant at(GateResult r) {
        return r.getAt() == null ? Instant.EPOCH : Instant.parse(r.getAt());
    }

    /** {@code status.lastGate}: {@code name=Verdict} of every gate, or null when none ran. */
    String summary() {
        if (st.getGates() == null || st.getGates().isEmpty()) {
            return null;
        }
        return st.getGates().stream()
                .map(g -> g.getName() + "=" + g.getVerdict().wireName())
                .collect(Collectors.joining(" "));
    }

    private GateResult gate(String name) {
        GateResult r = find(name);
        if (r == null) {
            r = new GateResult().withName(name);
            if (st.getGates() == null) {
                st.setGates(new ArrayList<>());
            }
            st.getGates().add(r);
        }
        return r;
    }

    private GateResult find(String name) {
        return st.getGates() == null
                ? null
                : st.getGates().stream()
                        .filter(g -> name.equals(g.getName()))
                        .findFirst()
                        .orElse(null);
    }
}
