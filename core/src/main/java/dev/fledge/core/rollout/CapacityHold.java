package dev.fledge.core.rollout;

import java.time.Duration;
import java.time.Instant;
import java.util.Locale;

/**
 * How long the routes may keep a canary's public weight on the way back to stable ({@link Capacity#step} holds it until
 * stable is back at {@code replicas} and ready): after a rollback, an abort, a cancelled rollout or an {@code Invalid}
 * spec. The hold lasts at most {@code limit} (the release's {@code progressDeadline}) from {@code since}, when it
 * began; then the routes send everyone to stable, whole or not: a stable that cannot get its GPUs back must not leave a
 * version that failed its gates serving its share for ever. The SRE overrides it with the
 * {@value #ANNOTATION} annotation: {@code release} ends the hold now, {@code keep} keeps it past the limit. Pure.
 *
 * @param since   when the hold began (kept in {@code status.canaryHeldSince})
 * @param until   when it ends unless kept ({@code since + limit})
 * @param verdict what this pass does with it
 */
public record CapacityHold(Instant since, Instant until, Verdict verdict) {
    /** The annotation on the ModelRelease that overrides the limit of a hold in progress. */
    public static final String ANNOTATION = "fledge.dev/capacity-hold";

    /** What the SRE asked for with {@value #ANNOTATION}. */
    public enum Override {
        NONE,
        /** {@code release}: send everyone to stable now, whole or not. */
        RELEASE,
        /** {@code keep}: keep holding past the limit, until stable is whole and ready. */
        KEEP;

        /** The annotation's value ({@code release} or {@code keep}, any case); anything else is no override. */
        public static Override of(String value) {
            if (value == null) {
                return NONE;
            }
            return switch (value.trim().toLowerCase(Locale.ROOT)) {
                case "release" -> RELEASE;
                case "keep" -> KEEP;
                default -> NONE;
            };
        }
    }

    /** What the pass does. */
    public enum Verdict {
        /** The routes keep the canary's weight: the limit has not passed. */
        HOLDING,
        /** The routes keep the canary's weight past the limit: {@code keep}. */
        KEPT_PAST_LIMIT,
        /** The limit passed: everyone goes to stable, whole or not. */
        EXPIRED,
        /** {@code release}: everyone goes to stable now, whole or not. */
        RELEASED;

        public boolean holds() {
            return this == HOLDING || this == KEPT_PAST_LIMIT;
        }
    }

    /**
     * The hold of this pass, where the routes would keep the canary's weight on the way back to stable: it began at
     * {@code heldSince} (null: it begins now) and lasts {@code limit}.
     */
    public static CapacityHold decide(Instant heldSince, Duration limit, Override override, Instant now) {
        Instant since = heldSince == null || heldSince.isAfter(now) ? now : heldSince;
        Instant until = since.plus(limit);
        Verdict verdict;
        if (override == Override.RELEASE) {
            verdict = Verdict.RELEASED;
        } else if (now.isBefore(until)) {
            verdict = Verdict.HOLDING;
        } else {
            verdict = override == Override.KEEP ? Verdict.KEPT_PAST_LIMIT : Verdict.EXPIRED;
        }
        return new CapacityHold(since, until, verdict);
    }

    /** {@code status.canaryHeldSince} as an instant; null when unset or unreadable (the hold then begins again). */
    public static Instant since(String recorded) {
        if (recorded == null) {
            return null;
        }
        try {
            return Instant.parse(recorded);
        } catch (java.time.format.DateTimeParseException e) {
            return null;
        }
    }
}
