package dev.fledge.core.rollout;

import dev.fledge.api.status.ModelReleaseStatus;
import dev.fledge.api.status.PauseStatus;
import java.time.Duration;
import java.time.Instant;
import java.util.Optional;

/**
 * {@code status.pause}: when the current pause began and how long earlier pauses of this rollout lasted. Paused time
 * does not count against {@code progressDeadline}: resuming moves the deadline on by the length of the pause. Time
 * spent {@code Invalid} counts as paused too ({@link #hold}): the next valid reconcile closes it like a resume.
 */
final class PauseClock {
    private PauseClock() {}

    /** Opens a pause when the spec pauses a running rollout, closes it (adding its length) when the spec resumes it. */
    static void track(Plan plan, ModelReleaseStatus st, Instant now) {
        if (st.getCanaryVersion() == null) {
            st.setPause(null);
            return;
        }
        PauseStatus pause = st.getPause() == null ? new PauseStatus() : st.getPause();
        if (plan.paused() && pause.getPausedAt() == null) {
            pause.setPausedAt(now.toString());
        } else if (!plan.paused() && pause.getPausedAt() != null) {
            long seconds =
                    Duration.between(Instant.parse(pause.getPausedAt()), now).toSeconds();
            pause.setPausedSeconds(
                    (pause.getPausedSeconds() == null ? 0 : pause.getPausedSeconds()) + Math.max(0, seconds));
            pause.setPausedAt(null);
        }
        st.setPause(pause.getPausedAt() == null && pause.getPausedSeconds() == null ? null : pause);
    }

    /** The spec is invalid: a rollout in flight holds its deadline clock from now, until a valid spec resumes it. */
    static void hold(ModelReleaseStatus st, Instant now) {
        if (st.getCanaryVersion() == null) {
            return;
        }
        PauseStatus pause = st.getPause() == null ? new PauseStatus() : st.getPause();
        if (pause.getPausedAt() == null) {
            pause.setPausedAt(now.toString());
        }
        st.setPause(pause);
    }

    /** A new rollout starts with no paused time; a paused spec pauses it from the start. */
    static void start(Plan plan, ModelReleaseStatus st, Instant now) {
        st.setPause(null);
        if (plan.paused()) {
            PauseStatus pause = new PauseStatus();
            pause.setPausedAt(now.toString());
            st.setPause(pause);
        }
    }

    /** When the running rollout's progressDeadline expires: its start plus the deadline plus the time spent paused. */
    static Optional<Instant> deadline(Plan plan, ModelReleaseStatus st) {
        if (st.getRolloutStartedAt() == null || st.getCanaryVersion() == null) {
            return Optional.empty();
        }
        long paused = st.getPause() == null || st.getPause().getPausedSeconds() == null
                ? 0
                : st.getPause().getPausedSeconds();
        return Optional.of(Instant.parse(st.getRolloutStartedAt())
                .plus(plan.progressDeadline())
                .plusSeconds(paused));
    }
}
