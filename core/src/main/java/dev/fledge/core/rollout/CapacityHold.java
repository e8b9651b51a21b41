package dev.fledge.core.rollout;

import dev.fledge.api.status.ModelReleaseStatus;
import java.time.Duration;
import java.time.Instant;

/**
 * How long the routes may keep a canary's public weight on the way back to stable ({@link Capacity#step} holds it until
 * stable is back at {@code replicas} and ready): after a rollback, an abort, a cancelled rollout or an {@code Invalid}
 * spec. The hold lasts at most {@code limit} (the release's {@code progressDeadline}) from {@code since}, when it
 * began; then the routes send everyone to stable, whole or not: a stable that cannot get its GPUs back must not leave a
 * version that failed its gates serving its share for ever. Never to a stable with no ready pod, though: that would
 * trade a failed version's answers for no answers at all, so the hold goes on until stable has one, or the SRE releases
 * it. The SRE overrides it with the
 * {@value #ANNOTATION} annotation: {@code release} ends the hold now, {@code keep} keeps it past the limit. Pure.
 *
 * @param since   when the hold began (kept in {@code status.canaryHeldSince})
 * @param until   when it ends unless kept ({@code since + limit})
 * @param verdict  what this pass does with it
 * @param override the SRE's override this pass saw ({@value #ANNOTATION})
 */
public record CapacityHold(Instant since, Instant until, Verdict verdict, Override override) {
    /** The annotation on the ModelRelease that overrides the limit of a hold in progress. */
    public static final String ANNOTATION = "fledge.dev/capacity-hold";

    /** What the SRE asked for with {@value #ANNOTATION}. */
    public enum Override {
        NONE,
        /** {@code release}: send everyone to stable now, whole or not. */
        RELEASE,
        /** {@code keep}: keep holding past the limit, until stable is whole and ready. */
        KEEP;

        /**
         * The annotation's value, exactly {@code release} or {@code keep}; anything else (other case, spaces, a line
         * break) is no override, so a value the operator could not remove cleanly never acts.
         */
        public static Override of(String value) {
            if (value == null) {
                return NONE;
            }
            return switch (value) {
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
        /** The limit passed, but stable has no ready pod: the routes keep the canary's weight. */
        STABLE_EMPTY,
        /** The limit passed: everyone goes to stable, whole or not (it has a ready pod). */
        EXPIRED,
        /** {@code release}: everyone goes to stable now, whole or not. */
        RELEASED,
        /**
         * The rollback was for a critical safety failure: everyone goes to stable as soon as it has a ready pod, whole
         * or not, whatever the annotation says: a canary that gave harmful answers keeps no share while stable can
         * answer. ({@code keep} could not act here anyway: no hold goes on before the rollback, and the operator
         * removes an override while none does.)
         */
        CRITICAL;

        public boolean holds() {
            return this == HOLDING || this == KEPT_PAST_LIMIT || this == STABLE_EMPTY;
        }
    }

    /**
     * The hold of this pass, where the routes would keep the canary's weight on the way back to stable: it began at
     * {@code heldSince} (null: it begins now) and lasts {@code limit}.
     */
    public static CapacityHold decide(Instant heldSince, Duration limit, Override override, Instant now) {
        return decide(heldSince, limit, override, now, true);
    }

    /**
     * As above, knowing whether stable has a ready pod ({@code stableServes}): past the limit, a stable without one
     * gets no one ({@link Verdict#STABLE_EMPTY}) unless the SRE releases the hold.
     */
    public static CapacityHold decide(
            Instant heldSince, Duration limit, Override override, Instant now, boolean stableServes) {
        return decide(heldSince, limit, override, now, stableServes, false);
    }

    /**
     * As above, where {@code critical} says the way back to stable follows a rollback for a critical safety failure
     * ({@code CriticalGateFailed}): the hold ends as soon as stable has a ready pod ({@link Verdict#CRITICAL}); {@code
     * keep} does not keep it.
     */
    public static CapacityHold decide(
            Instant heldSince, Duration limit, Override override, Instant now, boolean stableServes, boolean critical) {
        Instant since = heldSince == null || heldSince.isAfter(now) ? now : heldSince;
        Instant until = since.plus(limit);
        Verdict verdict;
        if (override == Override.RELEASE) {
            verdict = Verdict.RELEASED;
        } else if (critical && stableServes) {
            verdict = Verdict.CRITICAL;
        } else if (now.isBefore(until)) {
            verdict = Verdict.HOLDING;
        } else {
            verdict = override == Override.KEEP
                    ? Verdict.KEPT_PAST_LIMIT
                    : stableServes ? Verdict.EXPIRED : Verdict.STABLE_EMPTY;
        }
        return new CapacityHold(since, until, verdict, override);
    }

    /**
     * When the hold recorded in these statuses began (the stored status first, then the decision of this pass, which a
     * kept unstored decision carries): {@code status.canaryHeldSince}, else, where that field is not stored (a CRD from
     * before it existed prunes it), the {@code lastTransitionTime} of the True {@value Conditions#CAPACITY_HOLD}
     * condition, which turned True when the hold began. Null when neither says (the hold then begins now).
     */
    public static Instant recordedSince(ModelReleaseStatus... statuses) {
        for (ModelReleaseStatus st : statuses) {
            Instant since = st == null ? null : since(st.getCanaryHeldSince());
            if (since != null) {
                return since;
            }
        }
        for (ModelReleaseStatus st : statuses) {
            Instant since = st == null || st.getConditions() == null
                    ? null
                    : st.getConditions().stream()
                            .filter(c -> Conditions.CAPACITY_HOLD.equals(c.getType()) && "True".equals(c.getStatus()))
                            .map(c -> since(c.getLastTransitionTime()))
                            .filter(java.util.Objects::nonNull)
                            .findFirst()
                            .orElse(null);
            if (since != null) {
                return since;
            }
        }
        return null;
    }

    /**
     * Whether the rollout this status records ended for a critical safety failure: its {@code Degraded} condition says
     * {@code CriticalGateFailed}, or, once a later status no longer does (an {@code Invalid} spec during the hold), one of
     * its gates failed critically ({@code status.gates}, kept until a new rollout starts).
     */
    public static boolean criticalFailure(ModelReleaseStatus st) {
        if (st == null) {
            return false;
        }
        if (Conditions.degradedReason(st).orElse(null) == ConditionReason.CriticalGateFailed) {
            return true;
        }
        return st.getGates() != null
                && st.getGates().stream()
                        .anyMatch(g -> g.getVerdict() == dev.fledge.api.status.Verdict.FAIL
                                && Boolean.TRUE.equals(g.getCritical()));
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
