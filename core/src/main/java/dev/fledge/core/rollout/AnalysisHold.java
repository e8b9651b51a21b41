package dev.fledge.core.rollout;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import dev.fledge.api.status.GateResult;
import dev.fledge.api.status.ModelReleaseStatus;
import dev.fledge.api.status.Verdict;
import java.time.Duration;
import java.time.Instant;
import java.util.HashSet;
import java.util.List;
import java.util.Objects;
import java.util.Optional;
import java.util.Set;

/**
 * Which statuses an analysis may keep in memory instead of writing (issue 20: a status write per analysis was most of
 * the operator's writes). An analysis in which every gate it ran passes again with its stored values changes only
 * times ({@code lastAnalysisAt}, the gates' {@code at}); one whose Prometheus answer is still on its way changes a
 * passed gate to its {@linkplain GateVerdict#evaluating evaluating} placeholder, and the answer, once a pass takes it,
 * changes it back. An analysis of passes may be held while the stored status already shows each such gate passed in the
 * current stage or step; a placeholder whatever the stored gate says, also the first of a stage (bench-operator: a
 * third of the status writes were placeholders, most of them the first analysis of a stage whose answer came a moment
 * later and was written then). Either only while the stored {@code lastAnalysisAt} is at most {@link #HEARTBEAT} old.
 *
 * <p>Written at once, always: the first verdict of a stage or step (a reader, the CLI's next step or an SRE, sees the
 * gates passed there), a verdict that does not pass (Inconclusive or failing: seen re-checked at each analysis), a
 * changed value, and any other change of the status. While a placeholder is held, the status message and the rollout
 * conditions that repeat it ({@code Ready}, {@code Progressing}, {@code Degraded}) are not compared: a change to them
 * shows when the answer comes, or at the heartbeat. A held status whose stored analysis is {@link #HEARTBEAT} old is
 * written by the next pass even if that pass has nothing new ({@link #heartbeatDue}).
 *
 * <p>A held status is what the engine would have read back had it been written, so it decides alike. Lost (a restart,
 * another shard), the stored status makes the engine analyse again sooner and count a pass from one interval earlier,
 * as it does between analyses: never a stage ended on a verdict older than the last analysis.
 *
 * <p>The kubelet does the same with a node's status: it posts it when something changed, else only every
 * {@code nodeStatusReportFrequency} (5 minutes by default).
 */
public final class AnalysisHold {
    /** How old the stored analysis may get while newer ones are held, as the kubelet's node status report. */
    public static final Duration HEARTBEAT = Duration.ofMinutes(5);

    private static final ObjectMapper JSON = new ObjectMapper();
    /** The conditions whose message is the status message. */
    private static final Set<String> ROLLOUT_CONDITIONS =
            Set.of(Conditions.READY, Conditions.PROGRESSING, Conditions.DEGRADED);

    private AnalysisHold() {}

    /**
     * Whether {@code next}, the status a pass at {@code now} would write, may be held instead, given {@code written},
     * the status as stored (above).
     */
    public static boolean mayHold(Plan plan, ModelReleaseStatus written, ModelReleaseStatus next, Instant now) {
        if (plan == null
                || written == null
                || written.getStage() == null
                || written.getStageStartedAt() == null
                || written.getLastAnalysisAt() == null
                || next.getLastAnalysisAt() == null
                || next.getGates() == null
                || next.getGates().isEmpty()) {
            return false;
        }
        Instant start = Schedule.periodStart(plan, written);
        if (heartbeatDue(written, now)) {
            return false;
        }
        boolean analysedInPeriod = Instant.parse(written.getLastAnalysisAt()).isAfter(start);
        Set<String> evaluating = new HashSet<>();
        for (GateResult g : next.getGates()) {
            Optional<GateResult> was = find(written, g.getName());
            if (was.isPresent() && Objects.equals(was.get().getAt(), g.getAt())) {
                continue; // not analysed now
            }
            if (GateVerdict.isEvaluating(g)) {
                // a reading on its way, even the stage's first: nothing a reader can act on yet (the engine, which
                // reads the held status, waits for it); its answer is written or held by the rules here
                evaluating.add(g.getName());
                continue;
            }
            if (!analysedInPeriod
                    || was.isEmpty()
                    || was.get().getVerdict() != Verdict.PASS
                    || was.get().getAt() == null
                    || !Instant.parse(was.get().getAt()).isAfter(start)) {
                return false; // the gate's first verdict of the stage or step, or one that held the rollout back
            }
            if (g.getVerdict() != Verdict.PASS) {
                return false; // holds the rollout back: written at each analysis, so it is seen re-checked
            }
        }
        return comparable(written, evaluating).equals(comparable(next, evaluating));
    }

    /** Whether a status held over {@code written} is to be written at {@code now}: its last analysis is that old. */
    public static boolean heartbeatDue(ModelReleaseStatus written, Instant now) {
        return written.getLastAnalysisAt() == null
                || !now.isBefore(Instant.parse(written.getLastAnalysisAt()).plus(HEARTBEAT));
    }

    /** The status without the times of analyses, and without the gates in {@code evaluating} and what names them. */
    private static JsonNode comparable(ModelReleaseStatus st, Set<String> evaluating) {
        ObjectNode tree = JSON.valueToTree(st);
        tree.remove("lastAnalysisAt");
        if (tree.get("gates") instanceof ArrayNode gates) {
            for (int i = gates.size() - 1; i >= 0; i--) {
                if (gates.get(i) instanceof ObjectNode g) {
                    if (evaluating.contains(g.path("name").asText())) {
                        gates.remove(i);
                    } else {
                        g.remove("at");
                    }
                }
            }
        }
        if (!evaluating.isEmpty()) {
            // what names the placeholder's verdict: the gate summary, the message and the rollout conditions that
            // repeat it; the warnings' conditions are compared whole
            tree.remove("lastGate");
            tree.remove("message");
            if (tree.get("conditions") instanceof ArrayNode conditions) {
                conditions.forEach(c -> {
                    if (c instanceof ObjectNode o
                            && ROLLOUT_CONDITIONS.contains(o.path("type").asText())) {
                        o.remove("message");
                    }
                });
            }
        }
        return tree;
    }

    private static Optional<GateResult> find(ModelReleaseStatus st, String name) {
        List<GateResult> gates = st.getGates() == null ? List.of() : st.getGates();
        return gates.stream().filter(g -> name.equals(g.getName())).findFirst();
    }
}
