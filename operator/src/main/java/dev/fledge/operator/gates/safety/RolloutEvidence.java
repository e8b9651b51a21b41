package dev.fledge.operator.gates.safety;

import dev.fledge.api.status.EvidenceCount;
import dev.fledge.api.status.GateResult;
import dev.fledge.core.rollout.GateVerdict;
import dev.fledge.operator.gates.GateContext;
import dev.fledge.operator.gates.bayes.Evidence;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/**
 * The suite evidence of one rollout: each run samples the canary (or stable) afresh, so the runs of a rollout add
 * up. It lives in the release's status ({@code status.gates[].evidence} of the safety gate), the only state: a
 * restarted operator reads it back, the engine clears it when a rollout starts (a new version, {@code retry}), and
 * one release's evidence never depends on how many others there are. Read once per evaluation; the verdict carries
 * the new totals back into status.
 */
final class RolloutEvidence {
    static final String SUITE = "suite";
    static final String STABLE = "stable";

    private record Key(String source, String suite, String version) {}

    /** Oldest first, so that status keeps the newest when it must drop some. */
    private final Map<Key, Evidence> totals = new LinkedHashMap<>();

    private boolean changed;

    private RolloutEvidence() {}

    /** The evidence the status of {@code ctx}'s release holds for the gate {@code gate}. */
    static RolloutEvidence of(GateContext ctx, String gate) {
        RolloutEvidence r = new RolloutEvidence();
        var st = ctx.release().getStatus();
        if (st == null || st.getGates() == null) {
            return r;
        }
        st.getGates().stream()
                .filter(g -> gate.equals(g.getName()) && g.getEvidence() != null)
                .map(GateResult::getEvidence)
                .findFirst()
                .ifPresent(list -> list.forEach(r::load));
        return r;
    }

    private void load(EvidenceCount c) {
        long n = c.getSamples() == null ? 0 : c.getSamples();
        long k = c.getFlagged() == null ? 0 : c.getFlagged();
        if (c.getSource() == null || c.getSuite() == null || n < 0 || k < 0 || k > n) {
            return; // not written by this operator: ignore rather than fail the gate on it
        }
        totals.merge(new Key(c.getSource(), c.getSuite(), c.getVersion()), new Evidence(n, k), Evidence::plus);
    }

    /** Adds one run of {@code suite} against {@code version}; returns the total of this rollout. */
    Evidence add(String source, PromptSuite suite, String version, Evidence run) {
        Key key = new Key(source, suite.name() + "@" + suite.hash(), version);
        Evidence total = totals.getOrDefault(key, Evidence.none()).plus(run);
        totals.remove(key); // re-inserted as the newest
        totals.put(key, total);
        changed = true;
        return total;
    }

    /** The total of this rollout for {@code suite} against {@code version} from {@code source}, without adding. */
    Evidence total(String source, PromptSuite suite, String version) {
        return totals.getOrDefault(new Key(source, suite.name() + "@" + suite.hash(), version), Evidence.none());
    }

    /** The totals for the verdict, oldest first; null when nothing was added (status keeps what it has). */
    List<GateVerdict.Tally> tallies() {
        if (!changed) {
            return null;
        }
        List<GateVerdict.Tally> out = new ArrayList<>();
        totals.forEach(
                (k, e) -> out.add(new GateVerdict.Tally(k.source(), k.suite(), k.version(), e.samples(), e.flagged())));
        return out;
    }
}
