package dev.fledge.e2e.bench;

import dev.fledge.api.status.GateResult;
import dev.fledge.api.status.ModelReleaseStatus;
import dev.fledge.core.rollout.Plan;
import dev.fledge.core.rollout.Schedule;
import dev.fledge.core.rollout.Stage;
import dev.fledge.core.rollout.StagePlan;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.Optional;

/**
 * Verdict-to-route latency of every gated stage change: from the moment the operator could decide to move on (the
 * stage's or step's hold over, and the last gate verdict it needed given) to the moment the new HTTPRoute was seen
 * on a watch. The first part uses the status the operator wrote; the second the recorder's clock.
 */
final class Latencies {
    private final List<Long> millis = new ArrayList<>();
    /** Each latency with the release, the stage or step it left and when it could have moved on, for latencies.csv. */
    private final List<String> rows = new ArrayList<>();

    /** The same stage changes counted from the hold's end: with the wait for a verdict after it. */
    private final List<Long> fromHoldEnd = new ArrayList<>();
    /** Each stage's or step's wait for its split (entered waiting to started: the routes accepted), ms. */
    private final List<Long> splitWaits = new ArrayList<>();

    private int unmatched;

    static Latencies of(RolloutRecorder recorder, Plan plan) {
        Latencies l = new Latencies();
        for (Map.Entry<String, List<RolloutRecorder.StatusSeen>> e : recorder.statuses.entrySet()) {
            List<RolloutRecorder.RouteChange> routes = recorder.routeChanges.getOrDefault(e.getKey(), List.of());
            l.add(e.getKey(), plan, e.getValue(), routes);
        }
        return l;
    }

    private void add(
            String release,
            Plan plan,
            List<RolloutRecorder.StatusSeen> seen,
            List<RolloutRecorder.RouteChange> routes) {
        int route = 0;
        for (int i = 1; i < seen.size(); i++) {
            ModelReleaseStatus prev = seen.get(i - 1).status();
            ModelReleaseStatus next = seen.get(i).status();
            if (prev.getStepWaitingSince() != null
                    && next.getStepWaitingSince() == null
                    && Objects.equals(prev.getStage(), next.getStage())
                    && Objects.equals(prev.getStep(), next.getStep())
                    && plan.stage(Stage.fromWire(next.getStage())).isPresent()) {
                splitWaits.add(
                        Duration.between(Instant.parse(prev.getStepWaitingSince()), Schedule.periodStart(plan, next))
                                .toMillis());
            }
            Optional<Long> verdictAt = verdictAvailable(plan, prev, next);
            if (verdictAt.isEmpty()) {
                continue;
            }
            while (route < routes.size() && routes.get(route).seenAt() < verdictAt.get() - 1) {
                route++;
            }
            if (route == routes.size()) {
                unmatched++;
                continue;
            }
            long latency = Math.max(0, routes.get(route).seenAt() - verdictAt.get());
            millis.add(latency);
            fromHoldEnd.add(
                    Math.max(0, routes.get(route).seenAt() - holdEnd(plan, prev).toEpochMilli()));
            // where the time went: when the status with the new stage was seen on the watch, and the one before it
            long statusSeen = seen.get(i).seenAt() - verdictAt.get();
            long before = seen.get(i - 1).seenAt() - verdictAt.get();
            rows.add(release + "," + prev.getStage() + (prev.getStep() == null ? "" : "-" + prev.getStep()) + ","
                    + verdictAt.get() + "," + latency + "," + statusSeen + "," + before);
            route++;
        }
    }

    /** When the stage or step of {@code st} (one of {@code plan}'s) had been held its minimum time. */
    private static Instant holdEnd(Plan plan, ModelReleaseStatus st) {
        return Schedule.periodStart(plan, st)
                .plus(plan.stage(Stage.fromWire(st.getStage())).orElseThrow().hold());
    }

    /**
     * The stage changes counted from the hold's end, which the verdict-to-route latency starts later than when the
     * verdict the change needed came after it; and each stage's wait for its split (its routes accepted by the
     * Gateway). Neither is a goal of the issue; both say where a rollout's time goes.
     */
    String beyondTheVerdict() {
        return String.format(
                java.util.Locale.ROOT,
                "  stage changes from the hold's end (with the wait for a verdict after it): p50 %d ms, p90 %d ms, p99 %d"
                        + " ms%n  a stage's wait for its split (entered to started, as the operator stamped them: the"
                        + " canary ready, the routes accepted and as written): p50 %d ms, p90 %d ms, max %d ms (%d waits)",
                percentile(fromHoldEnd, 0.50),
                percentile(fromHoldEnd, 0.90),
                percentile(fromHoldEnd, 0.99),
                percentile(splitWaits, 0.50),
                percentile(splitWaits, 0.90),
                percentile(splitWaits, 1.0),
                splitWaits.size());
    }

    /** When a gated stage change from {@code prev} to {@code next} could first have been made, if it is one. */
    static Optional<Long> verdictAvailable(Plan plan, ModelReleaseStatus prev, ModelReleaseStatus next) {
        Optional<StagePlan> from = plan.stage(Stage.fromWire(prev.getStage()));
        if (from.isEmpty()
                || next.getStage() == null
                || Stage.fromWire(next.getStage()) == Stage.PROMOTING
                || !Objects.equals(prev.getCanaryVersion(), next.getCanaryVersion())
                || (Objects.equals(prev.getStage(), next.getStage())
                        && Objects.equals(prev.getStep(), next.getStep()))) {
            return Optional.empty();
        }
        Instant start = Schedule.periodStart(plan, prev);
        Instant nextStart = Schedule.periodStart(plan, next);
        Instant available = holdEnd(plan, prev);
        for (GateResult g : next.getGates() == null ? List.<GateResult>of() : next.getGates()) {
            Instant at = Instant.parse(g.getAt());
            if (at.isAfter(start) && !at.isAfter(nextStart) && at.isAfter(available)) {
                available = at;
            }
        }
        return Optional.of(available.toEpochMilli());
    }

    /**
     * One line per latency: release, the stage or step left, when it could have moved on (epoch ms), latency ms, and
     * relative to that moment (ms): when the status with the new stage was seen, and when the status before it was.
     */
    void writeCsv(Path file) throws IOException {
        List<String> lines = new ArrayList<>();
        lines.add("release,from,available_ms,latency_ms,status_seen_ms,previous_status_seen_ms");
        lines.addAll(rows);
        Files.write(file, lines);
    }

    int count() {
        return millis.size();
    }

    int unmatched() {
        return unmatched;
    }

    long percentile(double p) {
        return percentile(millis, p);
    }

    private static long percentile(List<Long> millis, double p) {
        if (millis.isEmpty()) {
            return -1;
        }
        List<Long> sorted = millis.stream().sorted().toList();
        int index = (int) Math.ceil(p * sorted.size()) - 1;
        return sorted.get(Math.max(0, Math.min(sorted.size() - 1, index)));
    }
}
