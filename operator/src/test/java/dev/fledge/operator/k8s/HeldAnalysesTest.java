package dev.fledge.operator.k8s;

import static org.assertj.core.api.Assertions.assertThat;

import dev.fledge.api.ModelRelease;
import dev.fledge.api.status.GateResult;
import dev.fledge.api.status.ModelReleaseStatus;
import dev.fledge.api.status.Verdict;
import dev.fledge.core.rollout.AnalysisHold;
import dev.fledge.core.rollout.GatePlan;
import dev.fledge.core.rollout.Plan;
import dev.fledge.core.rollout.Stage;
import dev.fledge.core.rollout.StagePlan;
import dev.fledge.core.rollout.StatusCopy;
import io.fabric8.kubernetes.api.model.ObjectMetaBuilder;
import java.time.Duration;
import java.time.Instant;
import java.util.List;
import org.junit.jupiter.api.Test;

/** What the reconciler reads back of a status held in memory instead of written, and when it lets go of it. */
class HeldAnalysesTest {
    static final Instant START = Instant.parse("2026-12-04T12:00:00Z");
    static final Plan PLAN = new Plan(
            "2.0.0",
            List.of(new StagePlan(Stage.INTERNAL, Duration.ofMinutes(10), List.of(), Duration.ZERO)),
            Duration.ofMinutes(1),
            Duration.ofHours(1),
            false,
            1,
            List.of(new GatePlan("error-rate", 1, false)));

    final HeldAnalyses held = new HeldAnalyses();

    /** The internal stage of 2.0.0 with error-rate passed {@code at}, analysed then. */
    static ModelReleaseStatus passedAt(Instant at) {
        return new ModelReleaseStatus()
                .withCanaryVersion("2.0.0")
                .withStage(Stage.INTERNAL.wireName())
                .withStageStartedAt(START.toString())
                .withLastAnalysisAt(at.toString())
                .withGates(List.of(new GateResult()
                        .withName("error-rate")
                        .withKind("metric")
                        .withVerdict(Verdict.PASS)
                        .withValue(0.001)
                        .withFailures(0)
                        .withAt(at.toString())));
    }

    static ModelRelease release(String uid, ModelReleaseStatus stored) {
        ModelRelease mr = new ModelRelease();
        mr.setMetadata(new ObjectMetaBuilder()
                .withNamespace("ml")
                .withName("assistant")
                .withUid(uid)
                .build());
        mr.setStatus(StatusCopy.of(stored));
        return mr;
    }

    @Test
    void theHeldStatusIsWhatLaterPassesReadWhileTheStoredOneIsUnchanged() {
        ModelReleaseStatus stored = passedAt(START.plusSeconds(1));
        ModelRelease mr = release("uid-1", stored);
        Instant now = START.plusSeconds(61);
        assertThat(held.overlay(mr, stored)).as("nothing held").isSameAs(stored);

        assertThat(held.hold(mr, PLAN, passedAt(now), now)).isTrue();

        assertThat(held.overlay(release("uid-1", stored), stored).getLastAnalysisAt())
                .isEqualTo(now.toString());
        assertThat(held.overlay(release("uid-2", stored), stored))
                .as("a release made again under the name starts afresh")
                .isSameAs(stored);
    }

    @Test
    void aStatusWrittenByAnyoneDropsWhatWasHeld() {
        ModelReleaseStatus stored = passedAt(START.plusSeconds(1));
        Instant now = START.plusSeconds(61);
        held.hold(release("uid-1", stored), PLAN, passedAt(now), now);

        ModelReleaseStatus other = passedAt(START.plusSeconds(1)).withMessage("edited by another writer");
        assertThat(held.overlay(release("uid-1", other), other)).isSameAs(other);
        assertThat(held.overlay(release("uid-1", stored), stored))
                .as("dropped, not kept for when the status comes back")
                .isSameAs(stored);

        held.hold(release("uid-1", stored), PLAN, passedAt(now), now);
        held.written(release("uid-1", stored));
        assertThat(held.overlay(release("uid-1", stored), stored)).isSameAs(stored);
    }

    @Test
    void aHeldStatusIsDueOnceTheStoredAnalysisIsAsOldAsTheHeartbeat() {
        ModelReleaseStatus stored = passedAt(START.plusSeconds(1));
        ModelRelease mr = release("uid-1", stored);
        Instant now = START.plusSeconds(61);
        held.hold(mr, PLAN, passedAt(now), now);
        ModelReleaseStatus read = held.overlay(mr, stored);

        assertThat(held.due(mr, read, now.plusSeconds(30))).isEmpty();
        Instant late = START.plusSeconds(1).plus(AnalysisHold.HEARTBEAT);
        assertThat(held.due(mr, read, late))
                .hasValueSatisfying(st -> assertThat(st.getLastAnalysisAt()).isEqualTo(now.toString()));
        assertThat(held.due(mr, stored, late))
                .as("not for a pass that decided from another status (an invalid spec's, from the stored one)")
                .isEmpty();
    }

    @Test
    void aFirstPassOfTheStageIsNotHeld() {
        ModelReleaseStatus started = passedAt(START.minusSeconds(30)); // the verdict of the stage before
        assertThat(held.hold(release("uid-1", started), PLAN, passedAt(START.plusSeconds(1)), START.plusSeconds(1)))
                .isFalse();
    }
}
