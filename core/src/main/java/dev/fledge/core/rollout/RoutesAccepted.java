package dev.fledge.core.rollout;

import com.fasterxml.jackson.databind.ObjectMapper;
import dev.fledge.api.status.ModelReleaseStatus;
import java.time.Instant;
import java.util.Objects;
import java.util.Optional;

/**
 * The end of a stage's (or public step's) wait for its routes, in the pass that finds them accepted. The engine reads
 * the route conditions from the stored status ({@link Conditions#routesPending}), which the pass before wrote: decided
 * from it, the pass that sees every route accepted only clears the conditions, and the stage starts in the pass after,
 * a second status write for each transition. Given that the routes this pass applied are accepted and as written, this
 * decides once more from the stored status with the route conditions cleared, and keeps that decision only if it
 * starts the wait the first decision held and routes exactly what the first one did (the split this pass applied). The
 * first decision is then dropped whole (its events, history and gate ledger), so nothing of it is told twice. Pure.
 */
public final class RoutesAccepted {
    private static final RolloutEngine ENGINE = new RolloutEngine();
    private static final ObjectMapper MAPPER = new ObjectMapper();

    private RoutesAccepted() {}

    /**
     * The decision that starts the stage (or step) {@code first} held for its routes, decided from {@code stored} with
     * the route conditions cleared; empty when {@code first} was not such a hold (a rollout it ends or restarts, a stage
     * it enters, a pause, a canary not ready, a public weight held for capacity) or the second decision would route
     * otherwise than {@code first} (a stage that also ends at once): the caller writes {@code first} then, as before.
     * Call it only when acting on {@code first} left nothing of its split waiting: no route its Gateway has not accepted
     * at the generation written, none other than written, no public weight held for capacity. Those are the checks the
     * next pass would start the stage on (the router's; under the replicas router no route waits). {@code now} may be
     * later than the first decision's: the time the routes were found accepted.
     */
    public static Optional<Decision> startWaitingStage(
            Plan plan, ModelReleaseStatus stored, Observation obs, Instant now, Decision first) {
        if (plan == null
                || obs.specInvalid()
                || stored.getStepWaitingSince() == null
                || !Conditions.routesPending(stored)
                || first.endsRollout(stored)
                || !sameWait(stored, first.status())) {
            return Optional.empty();
        }
        ModelReleaseStatus accepted = StatusCopy.of(stored);
        if (accepted.getConditions() != null) {
            accepted.getConditions()
                    .removeIf(c -> Conditions.ROUTE_NOT_ACCEPTED.equals(c.getType())
                            || Conditions.ROUTE_NOT_APPLIED.equals(c.getType()));
        }
        Decision again = ENGINE.decide(plan, accepted, obs, now);
        ModelReleaseStatus started = again.status();
        boolean starts = started.getStepWaitingSince() == null
                && sameStep(stored, started)
                && started.getPhase() == first.status().getPhase()
                && sameSplit(again.split(), first.split());
        return starts ? Optional.of(again) : Optional.empty();
    }

    /** Whether {@code decided} still waits in the stage (or step) {@code stored} waits in, since the same time. */
    private static boolean sameWait(ModelReleaseStatus stored, ModelReleaseStatus decided) {
        return stored.getStepWaitingSince().equals(decided.getStepWaitingSince()) && sameStep(stored, decided);
    }

    /** {@link TrafficSplit} by value: its stable serving (a status type) has no {@code equals} of its own. */
    static boolean sameSplit(TrafficSplit a, TrafficSplit b) {
        if (a == null || b == null) {
            return a == b;
        }
        return Objects.equals(a.stableVersion(), b.stableVersion())
                && Objects.equals(a.canaryVersion(), b.canaryVersion())
                && a.canaryAudiences().equals(b.canaryAudiences())
                && a.publicCanaryWeight() == b.publicCanaryWeight()
                && a.mirrorPercent() == b.mirrorPercent()
                && a.mirrorFrom().equals(b.mirrorFrom())
                && Objects.equals(MAPPER.valueToTree(a.stableServing()), MAPPER.valueToTree(b.stableServing()));
    }

    private static boolean sameStep(ModelReleaseStatus a, ModelReleaseStatus b) {
        return Objects.equals(a.getCanaryVersion(), b.getCanaryVersion())
                && Objects.equals(a.getCanaryConfigHash(), b.getCanaryConfigHash())
                && Objects.equals(a.getStage(), b.getStage())
                && Objects.equals(a.getStep(), b.getStep())
                && Objects.equals(a.getCanaryWeight(), b.getCanaryWeight());
    }
}
