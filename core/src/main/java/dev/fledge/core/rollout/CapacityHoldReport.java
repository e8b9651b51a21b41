package dev.fledge.core.rollout;

import static dev.fledge.core.rollout.Conditions.CAPACITY_HOLD;

import java.time.Instant;
import java.util.Optional;

/**
 * What the status ({@value Conditions#CAPACITY_HOLD} condition) and the Events say about a {@link CapacityHold} on the
 * way back to stable. Pure.
 */
public final class CapacityHoldReport {
    private CapacityHoldReport() {}

    /**
     * The condition of this pass: the hold and its deadline while it lasts, and, after it ended before stable was whole
     * ({@code heldSince} still set), that stable serves everyone short of its replicas. Empty otherwise.
     *
     * @param hold        the hold of this pass, null when the routes hold nothing on the way back to stable
     * @param heldWeight  the public weight the routes keep on the canary, null when none
     * @param heldSince   {@code status.canaryHeldSince} as this pass writes it
     * @param stableReady stable's ready pods of the configuration it is to run
     * @param replicas    {@code spec.server.replicas}
     */
    public static Optional<SpecWarning> condition(
            CapacityHold hold, Integer heldWeight, Instant heldSince, int stableReady, int replicas) {
        String stable = "stable is back at " + replicas + " pods, all ready (" + stableReady + " ready now)";
        String override = CapacityHold.ANNOTATION + "=release sends everyone to stable now";
        if (hold != null && heldWeight != null && hold.verdict() == CapacityHold.Verdict.HOLDING) {
            return Optional.of(new SpecWarning(
                    CAPACITY_HOLD,
                    "WaitingForStable",
                    "the routes keep " + heldWeight + "% of public traffic on the canary until " + stable
                            + "; held since " + hold.since() + ", at most until " + hold.until()
                            + " (progressDeadline), then everyone goes to stable, whole or not; "
                            + (hold.override() == CapacityHold.Override.KEEP
                                    ? CapacityHold.ANNOTATION + "=keep is set: the hold goes on past the deadline"
                                            + " until stable is whole; " + override
                                    : override + ", " + CapacityHold.ANNOTATION + "=keep holds past the deadline")));
        }
        if (hold != null && heldWeight != null && hold.verdict() == CapacityHold.Verdict.KEPT_PAST_LIMIT) {
            return Optional.of(new SpecWarning(
                    CAPACITY_HOLD,
                    "KeptPastDeadline",
                    "the routes keep " + heldWeight + "% of public traffic on the canary past the hold's deadline "
                            + hold.until() + " (" + CapacityHold.ANNOTATION + "=keep), until " + stable + "; "
                            + override));
        }
        if (hold != null && heldWeight != null && hold.verdict() == CapacityHold.Verdict.STABLE_EMPTY) {
            return Optional.of(new SpecWarning(
                    CAPACITY_HOLD,
                    "StableEmpty",
                    "the routes keep " + heldWeight + "% of public traffic on the canary past the hold's deadline "
                            + hold.until() + ", because stable has no ready pod: sending everyone there would leave"
                            + " them without answers; until " + stable + " or at least one pod is ready; " + override
                            + " (to a stable with no ready pod)"));
        }
        if (heldSince != null && (hold == null || !hold.verdict().holds())) {
            return Optional.of(new SpecWarning(
                    CAPACITY_HOLD,
                    "StableShort",
                    "everyone is on stable, which has " + stableReady + " of " + replicas
                            + " pods ready: the capacity hold that began at " + heldSince
                            + " ended before stable was whole (its deadline, a critical safety failure, or "
                            + CapacityHold.ANNOTATION + "=release)"));
        }
        return Optional.empty();
    }

    /** The Warning event of a hold that ends in this pass before stable is whole: at its deadline, or by the override. */
    public static Optional<RolloutEvent> ended(CapacityHold hold, int stableReady, int replicas) {
        if (hold == null || hold.verdict().holds()) {
            return Optional.empty();
        }
        String why = switch (hold.verdict()) {
            case RELEASED -> "by " + CapacityHold.ANNOTATION + "=release";
            case CRITICAL ->
                "at once, because the rollback was for a critical safety failure"
                        + " (CriticalGateFailed): the failed canary keeps no share while stable has a ready pod";
            default -> "at its deadline " + hold.until() + " (progressDeadline from " + hold.since() + ")";
        };
        return Optional.of(new RolloutEvent(
                EventReason.CapacityHoldEnded,
                "the capacity hold on the way back to stable ended " + why
                        + ": everyone goes to stable, which has " + stableReady + " of " + replicas
                        + " pods ready; it may be overloaded until it is whole"));
    }
}
