package dev.fledge.core.rollout;

import dev.fledge.api.status.ModelReleaseStatus;
import dev.fledge.api.status.Phase;
import io.fabric8.kubernetes.api.model.Condition;
import io.fabric8.kubernetes.api.model.ConditionBuilder;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.Objects;
import java.util.Optional;

/**
 * Writes {@code status.conditions} for {@link StatusWriter}, the one status writer: Ready, Progressing, Degraded and InvalidSpec, derived from
 * the phase, with a reason from {@link ConditionReason}. lastTransitionTime changes only when a condition's status
 * does.
 */
public final class Conditions {
    public static final String READY = "Ready";
    public static final String PROGRESSING = "Progressing";
    public static final String DEGRADED = "Degraded";
    public static final String INVALID_SPEC = "InvalidSpec";
    /** True while a route of the release waits for its Gateway to accept it (the operator's acceptance watch). */
    public static final String ROUTE_NOT_ACCEPTED = "RouteNotAccepted";
    /** True while a route came out of the API server other than written, or a write of the pass failed. */
    public static final String ROUTE_NOT_APPLIED = "RouteNotApplied";
    /**
     * True while the routes keep a canary's public weight on the way back to stable ({@link CapacityHold}), or while
     * stable serves everyone short of its replicas after such a hold ended early.
     */
    public static final String CAPACITY_HOLD = "CapacityHold";

    private Conditions() {}

    static void apply(ModelReleaseStatus st, ConditionReason reason, Long generation, Instant now) {
        apply(st, reason, generation, now, List.of());
    }

    /** The four rollout conditions, then one True condition per warning (a warning that no longer holds is dropped). */
    static void apply(
            ModelReleaseStatus st, ConditionReason reason, Long generation, Instant now, List<SpecWarning> warnings) {
        Phase phase = st.getPhase() == null ? Phase.PENDING : st.getPhase();
        String message = st.getMessage() == null ? "" : st.getMessage();
        List<Condition> out = new ArrayList<>();
        boolean invalid = phase == Phase.INVALID;
        out.add(make(st, READY, phase == Phase.PROMOTED, reason, message, generation, now));
        out.add(make(
                st,
                PROGRESSING,
                phase == Phase.PROGRESSING || phase == Phase.PENDING || phase == Phase.PAUSED,
                reason,
                message,
                generation,
                now));
        boolean degraded =
                phase == Phase.ROLLED_BACK || phase == Phase.FAILED || reason == ConditionReason.PromotionStalled;
        out.add(make(st, DEGRADED, degraded, reason, message, generation, now));
        out.add(make(
                st,
                INVALID_SPEC,
                invalid,
                invalid ? ConditionReason.InvalidSpec : ConditionReason.SpecValid,
                invalid ? message : "",
                generation,
                now));
        for (SpecWarning w : warnings) {
            out.add(make(st, w.type(), "True", w.reason(), w.message(), generation, now));
        }
        st.setConditions(out);
    }

    /**
     * Sets {@code warning} as a True condition of its type on {@code st} (in place of one of that type), every other
     * condition as it is: for a status that is written again as stored, with one more thing to say.
     */
    public static void put(ModelReleaseStatus st, SpecWarning warning, Instant now) {
        List<Condition> out = new ArrayList<>();
        if (st.getConditions() != null) {
            st.getConditions().stream()
                    .filter(c -> !warning.type().equals(c.getType()))
                    .forEach(out::add);
        }
        out.add(make(st, warning.type(), "True", warning.reason(), warning.message(), st.getObservedGeneration(), now));
        st.setConditions(out);
    }

    /** The last pass left a route not accepted by its Gateway, or not as written: the split is not in place. */
    static boolean routesPending(ModelReleaseStatus st) {
        return isTrue(st, ROUTE_NOT_ACCEPTED) || isTrue(st, ROUTE_NOT_APPLIED);
    }

    /** The messages of the True route conditions ({@link #routesPending}), joined; empty when none is True. */
    static String pendingRoutes(ModelReleaseStatus st) {
        return java.util.stream.Stream.of(ROUTE_NOT_ACCEPTED, ROUTE_NOT_APPLIED)
                .flatMap(type -> find(st, type).filter(c -> "True".equals(c.getStatus())).stream())
                .map(c -> c.getType() + ": " + c.getMessage())
                .collect(java.util.stream.Collectors.joining("; "));
    }

    /** Whether {@code st} has a True condition of {@code type} with {@code reason}. */
    public static boolean has(ModelReleaseStatus st, String type, String reason) {
        return find(st, type)
                .filter(c -> "True".equals(c.getStatus()) && reason.equals(c.getReason()))
                .isPresent();
    }

    private static boolean isTrue(ModelReleaseStatus st, String type) {
        return find(st, type).filter(c -> "True".equals(c.getStatus())).isPresent();
    }

    public static Optional<ConditionReason> degradedReason(ModelReleaseStatus st) {
        return find(st, DEGRADED)
                .filter(c -> "True".equals(c.getStatus()))
                .map(Condition::getReason)
                .flatMap(r -> {
                    try {
                        return Optional.of(ConditionReason.valueOf(r));
                    } catch (IllegalArgumentException e) {
                        return Optional.empty();
                    }
                });
    }

    private static Condition make(
            ModelReleaseStatus st,
            String type,
            boolean on,
            ConditionReason reason,
            String message,
            Long generation,
            Instant now) {
        return make(st, type, on ? "True" : "False", reason.name(), on ? message : "", generation, now);
    }

    private static Condition make(
            ModelReleaseStatus st,
            String type,
            String status,
            String reason,
            String message,
            Long generation,
            Instant now) {
        Optional<Condition> old = find(st, type);
        String since = old.filter(c -> status.equals(c.getStatus()))
                .map(Condition::getLastTransitionTime)
                .orElse(now.toString());
        return new ConditionBuilder()
                .withType(type)
                .withStatus(status)
                .withReason(reason)
                .withMessage(message)
                .withObservedGeneration(generation)
                .withLastTransitionTime(since)
                .build();
    }

    private static Optional<Condition> find(ModelReleaseStatus st, String type) {
        return st.getConditions() == null
                ? Optional.empty()
                : st.getConditions().stream()
                        .filter(c -> type.equals(c.getType()))
                        .findFirst();
    }

    /** The condition reason a status stands for when no rule of this step named one. */
    static ConditionReason reasonOf(ModelReleaseStatus st) {
        return switch (Objects.requireNonNullElse(st.getPhase(), Phase.PENDING)) {
            case PROMOTED -> ConditionReason.Promoted;
            case PAUSED -> ConditionReason.Paused;
            case INVALID -> ConditionReason.InvalidSpec;
            case ROLLED_BACK, FAILED -> Conditions.degradedReason(st).orElse(ConditionReason.GateFailed);
            default ->
                st.getStableVersion() == null && st.getCanaryVersion() == null
                        ? ConditionReason.NoRelease
                        : ConditionReason.RolloutInProgress;
        };
    }
}
