package dev.fledge.operator.workload;

import dev.fledge.api.Labels;
import dev.fledge.api.ModelRelease;
import dev.fledge.api.spec.ServerSpec;
import dev.fledge.api.status.ModelReleaseStatus;
import dev.fledge.core.rollout.Capacity;
import dev.fledge.core.rollout.CapacityHold;
import dev.fledge.core.rollout.Decision;
import dev.fledge.core.rollout.GoDuration;
import dev.fledge.core.rollout.PlanResolver;
import dev.fledge.core.rollout.ServingIdentity;
import dev.fledge.core.rollout.Splits;
import dev.fledge.core.rollout.TrafficSplit;
import dev.fledge.operator.routing.Replicas;
import dev.fledge.operator.routing.StableRetreat;
import io.fabric8.kubernetes.api.model.Service;
import io.fabric8.kubernetes.api.model.apps.Deployment;
import io.fabric8.kubernetes.client.KubernetesClientException;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.util.Optional;

/**
 * Sends the users of an invalid release back to stable (issue 14, review items 1 and 5). Nothing is built from the
 * spec: the routes are edited by {@link StableRetreat}, and the only workload write is the stable Deployment's replica
 * count. Under the replicas router the public Service may hold stable and canary pods at a public step, with stable
 * short of its full size; stable is then scaled to the pods the public Service holds (stable's plus the canary's, at
 * most {@code spec.server.replicas}), and the public Service keeps the canary's pods until stable has them ready, at
 * most {@link CanaryDrain#HOLD_LIMIT} and never after an abort, as after a rollback. Growing stable is best effort: a
 * scale-up refused for good (a replica cap, a change freeze) must not keep the release from turning {@code Invalid}, nor
 * its users from going back to stable once the hold is over.
 */
public final class InvalidHandover {
    private final Workloads workloads;
    private final StableRetreat retreat;
    private final Clock clock;

    /**
     * What the retreat is to do: the public hold (null: none), the stable replicas the public Service needs, and, with
     * {@code server.canary} or {@code server.dynamicStableScale}, the canary's public weight the routes keep while
     * stable is not yet back at {@code server.replicas} and ready (null: none; the routes are then not touched), with
     * the hold's time limit ({@link CapacityHold}; null when there is no capacity hold to decide), since when stable
     * is short after a hold that ended early ({@code heldSince}), and what the hold took in place of a spec value it
     * could not read ({@code note}, null when none).
     */
    public record Plan(
            Instant holdUntil,
            int stableReplicas,
            Integer heldWeight,
            CapacityHold capacityHold,
            Instant heldSince,
            String note) {
        public Plan(Instant holdUntil, int stableReplicas) {
            this(holdUntil, stableReplicas, null, null, null, null);
        }
    }

    public InvalidHandover(Workloads workloads, StableRetreat retreat, Clock clock) {
        this.workloads = workloads;
        this.retreat = retreat;
        this.clock = clock;
    }

    /** Decided before the status is written (the hold is part of it); reads the public Service. */
    public Plan plan(ModelRelease mr, ModelReleaseStatus old, Decision decision, Deployment stable, Deployment canary) {
        Plan capacity = capacityPlan(mr, old, decision, stable, canary);
        if (capacity != null) {
            return capacity;
        }
        Service pub = retreat.publicService(mr);
        if (stable == null || pub == null || !StableRetreat.selectsCanary(pub)) {
            return new Plan(null, 0);
        }
        int have = replicas(stable);
        boolean bothTracks = !pub.getSpec().getSelector().containsKey(Labels.TRACK);
        int wanted = bothTracks ? Math.min(have + replicas(canary), Math.max(have, specReplicas(mr, have))) : have;
        boolean noHold = decision.endsRollout(old); // an invalid release ends its rollout only by an abort
        Instant hold = CanaryDrain.holdUntil(
                old,
                CanaryDrain.hasPods(canary),
                Readiness.atFullSize(stable, ServingIdentity.stableWanted(decision.status()), wanted),
                noHold,
                clock.instant());
        return new Plan(hold, wanted);
    }

    /**
     * With {@code server.canary} or {@code server.dynamicStableScale} (gatewayAPI router), as after a rollback
     * ({@link Capacity#step}): the routes keep the canary's public weight until stable, grown back to
     * {@code server.replicas}, has them all ready, for at most {@code progressDeadline} from when the hold began (or as
     * the {@value CapacityHold#ANNOTATION} override says). Null when there is nothing to hold: the retreat goes on as
     * without these fields. Read from the spec are only {@code server.replicas}, the two capacity fields and
     * {@code progressDeadline}, which the API server's schema checks; a release whose invalid edit dropped the fields
     * still holds while the status says the routes hold a weight. Stable grows to the size the release last ran under a
     * valid spec ({@link #validReplicas}), never to more than the invalid spec asks; an unreadable
     * {@code progressDeadline} bounds the hold with its default, and the plan says so.
     */
    private Plan capacityPlan(
            ModelRelease mr, ModelReleaseStatus old, Decision decision, Deployment stable, Deployment canary) {
        if (stable == null || !CanaryDrain.hasPods(canary)) {
            return null;
        }
        int replicas = validReplicas(mr, old);
        ServerSpec server = mr.getSpec() == null ? null : mr.getSpec().getServer();
        Capacity capacity = Capacity.of(server, replicas);
        if (!capacity.managed()) {
            if (old.getCanaryHeldWeight() == null) {
                return null; // the replicas router sizes stable by its share: its public hold is below
            }
            capacity = new Capacity(replicas, null, false, 0);
        }
        TrafficSplit wanted = decision.split();
        TrafficSplit before = old.getCanaryHeldWeight() != null
                ? Capacity.held(wanted, Handover.canaryVersion(old, canary), old.getCanaryHeldWeight())
                : Splits.of(old);
        ServingIdentity stableWanted = ServingIdentity.stableWanted(decision.status());
        Capacity.Step step = capacity.step(
                wanted,
                before,
                Readiness.readyReplicas(stable, stableWanted),
                0, // the canary takes no more traffic: its readiness does not count
                Readiness.podsHeld(stable),
                Readiness.podsHeld(canary),
                false);
        Instant now = clock.instant();
        if (!step.held()) {
            Instant since = CapacityHold.recordedSince(old, decision.status());
            boolean whole = Readiness.atFullSize(stable, stableWanted, replicas);
            return since == null || whole ? null : new Plan(null, replicas(stable), null, null, since, null);
        }
        String text = mr.getSpec() == null ? null : mr.getSpec().getProgressDeadline();
        Duration limit = deadline(text);
        String note = limit == null
                ? "spec.progressDeadline " + text + " is unreadable: the hold is bounded by the default "
                        + PlanResolver.DEFAULT_DEADLINE.toMinutes() + "m"
                : null;
        CapacityHold hold = CapacityHold.decide(
                CapacityHold.recordedSince(old, decision.status()),
                limit == null ? PlanResolver.DEFAULT_DEADLINE : limit,
                CapacityHold.Override.of(Handover.override(mr)),
                now,
                Readiness.hasReadyPod(stable),
                // a hold after a critical safety failure ends once stable has a ready pod, Invalid spec or not
                Handover.critical(decision) || CapacityHold.criticalFailure(old));
        int grown = Math.max(replicas(stable), step.sizes().stable());
        return hold.verdict().holds()
                ? new Plan(null, grown, step.routed().publicCanaryWeight(), hold, hold.since(), note)
                : new Plan(null, grown, null, hold, hold.since(), note);
    }

    /** {@code progressDeadline}: its default when unset, null when unreadable (an invalid spec may hold anything). */
    private static Duration deadline(String text) {
        try {
            return GoDuration.parseOr(text, PlanResolver.DEFAULT_DEADLINE);
        } catch (RuntimeException e) {
            return null;
        }
    }

    /**
     * The stable size the hold grows stable to and waits for: {@code server.replicas} of a spec that did not pass
     * validation is not trusted to raise it. It is the count of the release's last valid pass
     * ({@code status.capacity.replicas}, which an {@code Invalid} pass does not rewrite); the spec's count only lowers
     * it, and a spec without one leaves it as it is. Without that record (a status from an older operator), it is
     * bounded by the pods the release ran at its last valid pass ({@code status.capacity}): stable's and the canary's
     * replicas, less the surge {@code dynamicStableScale} lets the two tracks run beyond {@code replicas} while a canary
     * runs; then the spec's count, with its default.
     */
    static int validReplicas(ModelRelease mr, ModelReleaseStatus old) {
        Integer asked = mr.getSpec() == null || mr.getSpec().getServer() == null
                ? null
                : mr.getSpec().getServer().getReplicas();
        var recorded = old.getCapacity();
        if (recorded != null && recorded.getReplicas() != null && recorded.getReplicas() > 0) {
            return asked == null ? recorded.getReplicas() : Math.max(1, Math.min(asked, recorded.getReplicas()));
        }
        int spec = specReplicas(mr, PlanResolver.DEFAULT_REPLICAS);
        if (recorded == null
                || recorded.getStable() == null
                || recorded.getStable().getReplicas() == null) {
            return spec;
        }
        int stable = recorded.getStable().getReplicas();
        int canary = recorded.getCanary() == null || recorded.getCanary().getReplicas() == null
                ? 0
                : recorded.getCanary().getReplicas();
        Capacity capacity =
                Capacity.of(mr.getSpec() == null ? null : mr.getSpec().getServer(), spec);
        int surge = capacity.dynamic() && canary > 0 ? capacity.surge() : 0;
        int ran = Math.max(stable, stable + canary - surge);
        return Math.min(spec, Math.max(1, ran));
    }

    /**
     * Stable grows (its replicas only), best effort: returns why it could not, empty when it did or had no need. More
     * capacity is no decision; the status and the routes are written either way, and the public hold stays bounded by
     * {@link CanaryDrain#HOLD_LIMIT}. The next pass tries again.
     */
    public Optional<String> grow(Plan plan, Deployment stable) {
        if (stable == null || plan.stableReplicas() <= replicas(stable)) {
            return Optional.empty();
        }
        try {
            workloads.scaleStable(stable, plan.stableReplicas());
            return Optional.empty();
        } catch (KubernetesClientException e) {
            return Optional.of("stable Deployment could not grow to " + plan.stableReplicas() + " replicas ("
                    + e.getCode() + ": " + e.getMessage() + ")");
        }
    }

    /**
     * After the status is written, while no canary runs (an abort or a rollback, also one that ended a promotion): the
     * stable Deployment is put back to the configuration recorded in {@code status.stable} if it runs another version or
     * configuration (a promotion under way, a stable write that failed before). It is built from the status alone (the
     * pod template recorded with it, or the one {@link KeptTemplate} kept), never from the invalid spec. Its replicas
     * stay as they are, or grow to what the public Service needs. Checked at every pass, so a failed write is retried.
     * Returns why it could not, empty when it did or had no need.
     */
    public Optional<String> restoreStable(ModelRelease mr, Decision decision, Deployment stable, Plan plan) {
        ModelReleaseStatus st = decision.status();
        if (stable == null
                || st.getCanaryVersion() != null
                || decision.split().stableServing() == null
                || Readiness.runs(stable, ServingIdentity.stableWanted(st))) {
            return Optional.empty();
        }
        try {
            workloads.applyStable(
                    mr,
                    decision.split(),
                    new Replicas(Math.max(replicas(stable), plan.stableReplicas()), 0),
                    stable,
                    true);
            return Optional.empty();
        } catch (KubernetesClientException e) {
            return Optional.of("stable Deployment could not go back to its recorded configuration (" + e.getCode()
                    + ": " + e.getMessage() + ")");
        }
    }

    /** After the status is written: the routes leave the canary (the public Service only once the hold is over). */
    public Optional<String> route(ModelRelease mr, Plan plan) {
        if (plan.heldWeight() != null) {
            return Optional.empty(); // capacity hold: the routes keep what they carry until stable is whole and ready
        }
        return retreat.apply(mr, plan.holdUntil() != null);
    }

    /**
     * When the status could not be written: every route and Service leaves the canary, the public Service too. A hold
     * is bounded only by the time stored with the status; one that is not stored would start again at every pass.
     */
    public Optional<String> routeUnstored(ModelRelease mr) {
        return retreat.apply(mr, false);
    }

    /**
     * The spec's replica count, as an upper bound only: stable grows to at most the pods the public Service held and at
     * most to this count. With the count unchanged, a later pass (stable grown) wants no more; if the invalid edit raised
     * the count, each pass may grow stable by the canary's pods up to it (its pod template stays as it is).
     */
    private static int specReplicas(ModelRelease mr, int otherwise) {
        Integer n = mr.getSpec() == null || mr.getSpec().getServer() == null
                ? null
                : mr.getSpec().getServer().getReplicas();
        return n == null ? otherwise : n;
    }

    private static int replicas(Deployment d) {
        return d == null || d.getSpec().getReplicas() == null ? 0 : d.getSpec().getReplicas();
    }
}
