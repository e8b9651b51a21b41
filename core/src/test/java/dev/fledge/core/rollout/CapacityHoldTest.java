package dev.fledge.core.rollout;

import static org.assertj.core.api.Assertions.assertThat;

import java.time.Duration;
import java.time.Instant;
import org.junit.jupiter.api.Test;

class CapacityHoldTest {
    private static final Instant START = Instant.parse("2026-12-02T10:00:00Z");
    private static final Duration DEADLINE = Duration.ofMinutes(10);

    @Test
    void aHoldThatBeginsNowLastsTheProgressDeadline() {
        CapacityHold hold = CapacityHold.decide(null, DEADLINE, CapacityHold.Override.NONE, START);

        assertThat(hold.since()).isEqualTo(START);
        assertThat(hold.until()).isEqualTo(START.plus(DEADLINE));
        assertThat(hold.verdict()).isEqualTo(CapacityHold.Verdict.HOLDING);
    }

    @Test
    void pastTheDeadlineEveryoneGoesToStableUnlessTheSreSaysKeep() {
        Instant later = START.plus(DEADLINE);

        assertThat(CapacityHold.decide(START, DEADLINE, CapacityHold.Override.NONE, later)
                        .verdict())
                .isEqualTo(CapacityHold.Verdict.EXPIRED);
        assertThat(CapacityHold.decide(START, DEADLINE, CapacityHold.Override.KEEP, later)
                        .verdict())
                .isEqualTo(CapacityHold.Verdict.KEPT_PAST_LIMIT);
        assertThat(CapacityHold.decide(START, DEADLINE, CapacityHold.Override.KEEP, later)
                        .verdict()
                        .holds())
                .isTrue();
    }

    @Test
    void afterACriticalSafetyFailureEveryoneGoesToStableAsSoonAsItHasAReadyPodEvenWithKeep() {
        Instant early = START.plusSeconds(1);

        CapacityHold critical = CapacityHold.decide(START, DEADLINE, CapacityHold.Override.NONE, early, true, true);
        assertThat(critical.verdict()).isEqualTo(CapacityHold.Verdict.CRITICAL);
        assertThat(critical.verdict().holds()).isFalse();
        assertThat(CapacityHold.decide(START, DEADLINE, CapacityHold.Override.NONE, early, false, true)
                        .verdict())
                .as("no ready stable pod: the hold goes on, as any other")
                .isEqualTo(CapacityHold.Verdict.HOLDING);
        assertThat(CapacityHold.decide(START, DEADLINE, CapacityHold.Override.KEEP, early, true, true)
                        .verdict())
                .as("keep does not keep a canary that gave harmful answers serving")
                .isEqualTo(CapacityHold.Verdict.CRITICAL);
        assertThat(CapacityHold.decide(START, DEADLINE, CapacityHold.Override.NONE, early, true, false)
                        .verdict())
                .as("another rollback cause keeps today's hold")
                .isEqualTo(CapacityHold.Verdict.HOLDING);
        assertThat(CapacityHoldReport.ended(critical, 1, 4))
                .hasValueSatisfying(e -> assertThat(e.message()).contains("critical safety failure", "1 of 4"));
    }

    @Test
    void whereTheStatusLacksCanaryHeldSinceTheHoldBeganWhenItsConditionTurnedTrue() {
        dev.fledge.api.status.ModelReleaseStatus pruned = new dev.fledge.api.status.ModelReleaseStatus();
        pruned.setConditions(java.util.List.of(new io.fabric8.kubernetes.api.model.ConditionBuilder()
                .withType(Conditions.CAPACITY_HOLD)
                .withStatus("True")
                .withReason("WaitingForStable")
                .withLastTransitionTime(START.toString())
                .build()));
        dev.fledge.api.status.ModelReleaseStatus decided = new dev.fledge.api.status.ModelReleaseStatus();

        Instant since = CapacityHold.recordedSince(pruned, decided);

        assertThat(since).isEqualTo(START);
        assertThat(CapacityHold.decide(since, DEADLINE, CapacityHold.Override.NONE, START.plus(DEADLINE))
                        .verdict())
                .isEqualTo(CapacityHold.Verdict.EXPIRED);
        decided.setCanaryHeldSince(START.plusSeconds(5).toString());
        assertThat(CapacityHold.recordedSince(pruned, decided))
                .as("a recorded field wins over a condition")
                .isEqualTo(START.plusSeconds(5));
    }

    @Test
    void theConditionSaysWhenKeepIsSet() {
        CapacityHold kept = CapacityHold.decide(START, DEADLINE, CapacityHold.Override.KEEP, START.plusSeconds(1));

        assertThat(CapacityHoldReport.condition(kept, 50, START, 3, 4))
                .hasValueSatisfying(w -> assertThat(w.message()).contains("fledge.dev/capacity-hold=keep is set"));
        assertThat(CapacityHoldReport.condition(
                        CapacityHold.decide(START, DEADLINE, CapacityHold.Override.NONE, START.plusSeconds(1)),
                        50,
                        START,
                        3,
                        4))
                .hasValueSatisfying(w -> assertThat(w.message()).doesNotContain("keep is set"));
    }

    @Test
    void releaseEndsTheHoldBeforeItsDeadline() {
        CapacityHold hold = CapacityHold.decide(START, DEADLINE, CapacityHold.Override.RELEASE, START.plusSeconds(1));

        assertThat(hold.verdict()).isEqualTo(CapacityHold.Verdict.RELEASED);
        assertThat(hold.verdict().holds()).isFalse();
    }

    @Test
    void aRecordedStartInTheFutureOrUnreadableStartsTheHoldNow() {
        assertThat(CapacityHold.decide(START.plusSeconds(60), DEADLINE, CapacityHold.Override.NONE, START)
                        .since())
                .isEqualTo(START);
        assertThat(CapacityHold.since("not a time")).isNull();
        assertThat(CapacityHold.since(START.toString())).isEqualTo(START);
    }

    @Test
    void onlyReleaseAndKeepAreOverrides() {
        assertThat(CapacityHold.Override.of("release")).isEqualTo(CapacityHold.Override.RELEASE);
        assertThat(CapacityHold.Override.of("release\n"))
                .as("a value the operator's removal patch could not match is no override (it would stick)")
                .isEqualTo(CapacityHold.Override.NONE);
        assertThat(CapacityHold.Override.of(" Release ")).isEqualTo(CapacityHold.Override.NONE);
        assertThat(CapacityHold.Override.of("keep")).isEqualTo(CapacityHold.Override.KEEP);
        assertThat(CapacityHold.Override.of("yes")).isEqualTo(CapacityHold.Override.NONE);
        assertThat(CapacityHold.Override.of(null)).isEqualTo(CapacityHold.Override.NONE);
    }

    @Test
    void theConditionSaysWhatTheRoutesHoldAndWhatStableLacks() {
        CapacityHold holding = CapacityHold.decide(START, DEADLINE, CapacityHold.Override.NONE, START);
        CapacityHold kept = CapacityHold.decide(START, DEADLINE, CapacityHold.Override.KEEP, START.plus(DEADLINE));
        CapacityHold expired = CapacityHold.decide(START, DEADLINE, CapacityHold.Override.NONE, START.plus(DEADLINE));

        assertThat(CapacityHoldReport.condition(holding, 50, START, 3, 4)).get().satisfies(w -> {
            assertThat(w.type()).isEqualTo(Conditions.CAPACITY_HOLD);
            assertThat(w.reason()).isEqualTo("WaitingForStable");
            assertThat(w.message())
                    .contains("50%", "3 ready now", START.plus(DEADLINE).toString());
        });
        assertThat(CapacityHoldReport.condition(kept, 50, START, 3, 4).map(SpecWarning::reason))
                .contains("KeptPastDeadline");
        assertThat(CapacityHoldReport.condition(expired, null, START, 3, 4).map(SpecWarning::reason))
                .contains("StableShort");
        assertThat(CapacityHoldReport.condition(null, null, START, 3, 4).map(SpecWarning::reason))
                .contains("StableShort");
        assertThat(CapacityHoldReport.condition(null, null, null, 4, 4)).isEmpty();
    }

    @Test
    void anEventOnlyWhenTheHoldEndsBeforeStableIsWhole() {
        CapacityHold holding = CapacityHold.decide(START, DEADLINE, CapacityHold.Override.NONE, START);
        CapacityHold released = CapacityHold.decide(START, DEADLINE, CapacityHold.Override.RELEASE, START);

        assertThat(CapacityHoldReport.ended(holding, 3, 4)).isEmpty();
        assertThat(CapacityHoldReport.ended(null, 3, 4)).isEmpty();
        assertThat(CapacityHoldReport.ended(released, 3, 4)).get().satisfies(e -> {
            assertThat(e.reason()).isEqualTo(EventReason.CapacityHoldEnded);
            assertThat(e.warning()).isTrue();
            assertThat(e.message()).contains("3 of 4", CapacityHold.ANNOTATION + "=release");
        });
    }

    /**
     * Review of cap2 (HIGH 2): past its deadline a hold does not send everyone to a stable with no ready pod, which
     * would answer no one; it holds until stable has one, and only release moves them anyway.
     */
    @Test
    void pastItsDeadlineAHoldDoesNotSendEveryoneToAStableWithNoReadyPod() {
        var later = START.plus(DEADLINE).plusSeconds(1);
        assertThat(CapacityHold.decide(START, DEADLINE, CapacityHold.Override.NONE, later, false)
                        .verdict())
                .isEqualTo(CapacityHold.Verdict.STABLE_EMPTY);
        assertThat(CapacityHold.Verdict.STABLE_EMPTY.holds()).isTrue();
        assertThat(CapacityHold.decide(START, DEADLINE, CapacityHold.Override.NONE, later, true)
                        .verdict())
                .isEqualTo(CapacityHold.Verdict.EXPIRED);
        assertThat(CapacityHold.decide(START, DEADLINE, CapacityHold.Override.RELEASE, later, false)
                        .verdict())
                .isEqualTo(CapacityHold.Verdict.RELEASED);
        var empty = CapacityHold.decide(START, DEADLINE, CapacityHold.Override.NONE, later, false);
        assertThat(CapacityHoldReport.condition(empty, 50, START, 0, 4))
                .hasValueSatisfying(c -> assertThat(c.reason()).isEqualTo("StableEmpty"));
        assertThat(CapacityHoldReport.ended(empty, 0, 4)).isEmpty();
    }
}
