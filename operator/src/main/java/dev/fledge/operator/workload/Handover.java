package dev.fledge.operator.workload;

import dev.fledge.api.Labels;
import dev.fledge.api.ModelRelease;
import dev.fledge.api.spec.Router;
import dev.fledge.api.status.ModelReleaseStatus;
import dev.fledge.core.rollout.Capacity;
import dev.fledge.core.rollout.CapacityHold;
import dev.fledge.core.rollout.ConditionReason;
import dev.fledge.core.rollout.Decision;
import dev.fledge.core.rollout.Plan;
import dev.fledge.core.rollout.ServingIdentity;
import dev.fledge.core.rollout.Splits;
import dev.fledge.core.rollout.Stage;
import dev.fledge.core.rollout.TrafficSplit;
import dev.fledge.operator.routing.Replicas;
import dev.fledge.operator.routing.Routed;
import dev.fledge.operator.routing.Routers;
import dev.fledge.operator.routing.TrafficRouter;
import dev.fledge.operator.routing.Unaccepted;
import io.fabric8.kubernetes.api.model.apps.Deployment;
import io.fabric8.kubernetes.client.KubernetesClientException;
import java.time.Clock;
import java.time.Instant;
import java.util.List;
import java.util.Optional;

/**
 * The order in which one reconcile acts on the cluster: traffic first, pods after.
 * <ol>
 * <li>A canary that keeps its version and configuration: before the routes, so it grows before they send it more.</li>
 * <li>The stable Deployment (it grows before traffic comes back to it); it shrinks only if the canary write above
 * succeeded and (replicas router) the canary is ready at its new size, so a canary that cannot take its share leaves
 * stable at its size.</li>
 * <li>The routes ({@code router.apply}): with {@code server.canary} or {@code server.dynamicStableScale}, the split
 * {@link Capacity#step} allows (a track not yet ready for its new share keeps the routes where they were, their weight
 * kept in {@code status.canaryHeldWeight}, and the canary keeps its pods meanwhile; on the way back to stable that hold
 * lasts at most {@code progressDeadline} from {@code status.canaryHeldSince}, or as the
 * {@value CapacityHold#ANNOTATION} annotation says: {@link CapacityHold}); also when a write above failed if the split sends no users to the canary
 * (a rollback is routed even when a Deployment write is refused; the failure is thrown after); under the replicas router the public Service may hold a leaving canary's pods
 * ({@link CanaryDrain#holdUntil}), and at a public weight of 100% it keeps stable's pods too until the canary is
 * ready at full size.</li>
 * <li>A canary whose version or configuration changes (a spec edit mid-rollout), or whose pod template this operator
 * builds otherwise (an upgrade; never while the stored status sends users to it: only its replicas change then):
 * only after the routes have left it,
 * that is, the route write succeeded without drift, every Gateway accepted the routes' current generation (gatewayAPI
 * router: {@link Routed#pending}) and no hold keeps it in the public Service. Until then it keeps its
 * pods and its pod template, so no route ever sends users to pods of a configuration that has not passed its gates.</li>
 * <li>A canary the split no longer runs: scaled to zero once the routes have left it (as above) and the delay has
 * passed.</li>
 * </ol>
 */
public final class Handover {
    private final Workloads workloads;
    private final Clock clock;

    /**
     * What was done: the route drift, the routes a Gateway has not accepted yet, when the canary is to be scaled down,
     * and until when the public Service holds it.
     */
    public record Result(
            Optional<String> drift,
            List<Unaccepted> pending,
            Instant scaleDownAt,
            Instant holdUntil,
            Integer heldWeight,
            CapacityHold capacityHold,
            Instant heldSince) {}

    public Handover(Workloads workloads, Clock clock) {
        this.workloads = workloads;
        this.clock = clock;
    }

    public Result act(
            ModelRelease mr,
            TrafficRouter router,
            Plan plan,
            ModelReleaseStatus old,
            Decision decision,
            Deployment stable,
            Deployment canary) {
        TrafficSplit split = decision.split();
        // spec.server.canary / dynamicStableScale: each track's size, and the split the routes may carry now (Capacity)
        Optional<Capacity.Step> step = capacityStep(mr, plan, old, decision, stable, canary);
        CapacityHold capacityHold = capacityHold(mr, plan, old, decision, step, stable);
        if (capacityHold != null && !capacityHold.verdict().holds()) {
            step = step.map(c -> new Capacity.Step(split, false, c.sizes()));
        }
        Replicas replicas = step.map(
                        c -> new Replicas(c.sizes().stable(), c.sizes().canary()))
                .orElseGet(() -> router.replicas(plan, split));
        TrafficSplit routedSplit = step.map(Capacity.Step::routed).orElse(split);
        boolean held = step.map(Capacity.Step::held).orElse(false);
        // a canary built otherwise while the stored status still sends users to it (a restart that takes them off is
        // not stored yet; promoting; a first release, which has no stable to send them to): its template is not
        // written, only its replicas follow the split, so no user reaches a template that no gate passed
        boolean frozen = frozen(old, canary);
        boolean replaced = !frozen && replaced(plan, split, canary);
        Instant holdUntil = holdUntil(router, plan, old, decision, stable, canary);
        boolean hold = holdUntil != null;

        // under the replicas router a canary growing to a larger share is short of pods until they are ready
        boolean canaryShort = router.splitsByReplicas()
                && !replaced
                && !frozen
                && split.canaryRunning()
                && !Readiness.atFullSize(canary, ServingIdentity.of(plan), replicas.canary());
        KubernetesClientException workloadsFailed = replaced
                ? null
                : frozen
                        // grown only for users the split sends it (not in the pass that takes them off)
                        ? split.sendsNoUsersToCanary()
                                ? null
                                : attempt(() -> workloads.scaleCanary(mr, canary, split, replicas))
                        : attempt(() -> workloads.applyCanary(mr, split, replicas, canary));
        if ((workloadsFailed == null && !canaryShort) || !shrinks(stable, replicas.stable())) {
            // stable shrinks only once the canary has taken its share, its pods ready: a canary write refused for good
            // or pods that never get ready must not leave the public Service on a stable that already gave up its pods
            KubernetesClientException stableFailed = attempt(() -> workloads.applyStable(mr, split, replicas, stable));
            workloadsFailed = workloadsFailed == null ? stableFailed : workloadsFailed;
        }
        if (workloadsFailed == null) {
            workloadsFailed = attempt(() -> workloads.applyServices(mr));
        }
        if (workloadsFailed != null && !split.sendsNoUsersToCanary()) {
            throw workloadsFailed;
        } // a split that sends nobody to the canary is routed all the same
        // at a public weight of 100% the public Service keeps stable's pods too until the canary has all of its own
        boolean filling = canaryShort && split.publicCanaryWeight() >= 100;
        Routed routed = router.route(mr, routedSplit, hold || filling);
        if (workloadsFailed != null) {
            throw workloadsFailed;
        }
        Instant at = clock.instant();
        boolean routesLeft = !hold && !held && routed.settled();
        if (replaced && routesLeft) {
            workloads.applyCanary(mr, split, replicas, canary);
        }
        Instant scaleDownAt = CanaryDrain.scaleDownAt(old, split, canary, routesLeft, at, CanaryDrain.delay(mr));
        if (scaleDownAt != null && !clock.instant().isBefore(scaleDownAt)) {
            workloads.scaleDownCanary(mr, canary);
            scaleDownAt = null; // the status records a time only while one is to wait for
        }
        return new Result(
                routed.drift(),
                routed.pending(),
                scaleDownAt,
                holdUntil,
                held ? routedSplit.publicCanaryWeight() : null,
                capacityHold,
                heldSince(plan, old, decision, stable, capacityHold));
    }

    /**
     * The capacity hold as the status records it ({@code status.canaryHeldWeight}, {@code status.canaryHeldSince}):
     * what {@link #act} would return for them. A decision that ends the rollout is stored with them before
     * {@link #act} runs, so a failed write after it, or a restart in that pass, cannot drop the hold: the retry reads
     * the weight the routes keep and since when.
     */
    public record Held(Integer weight, Instant since, CapacityHold hold) {}

    /** The capacity hold of this pass, decided as {@link #act} decides it; reads nothing but its arguments. */
    public Held held(
            ModelRelease mr,
            Plan plan,
            ModelReleaseStatus old,
            Decision decision,
            Deployment stable,
            Deployment canary) {
        Optional<Capacity.Step> step = capacityStep(mr, plan, old, decision, stable, canary);
        CapacityHold hold = capacityHold(mr, plan, old, decision, step, stable);
        boolean held = step.map(Capacity.Step::held).orElse(false)
                && (hold == null || hold.verdict().holds());
        return new Held(
                held ? step.get().routed().publicCanaryWeight() : null,
                heldSince(plan, old, decision, stable, hold),
                hold);
    }

    /**
     * On the way back to stable the hold is bounded (CapacityHold): past it, or when the SRE says so, the routes send
     * everyone to stable, whole or not. The way back to stable: the split sends nobody to the canary, or a hold that
     * began so ({@code canaryHeldSince} recorded) still keeps more public weight on the canary than the split wants (a
     * {@code retry} whose rollout sends the internal audience to the canary again keeps the bound it had). Null when
     * the routes hold nothing on the way back to stable.
     */
    private CapacityHold capacityHold(
            ModelRelease mr,
            Plan plan,
            ModelReleaseStatus old,
            Decision decision,
            Optional<Capacity.Step> step,
            Deployment stable) {
        TrafficSplit split = decision.split();
        Instant since = CapacityHold.recordedSince(old, decision.status());
        return step.filter(c -> c.held()
                        && (split.sendsNoUsersToCanary() || (since != null && share(c.routed()) > share(split))))
                .map(c -> CapacityHold.decide(
                        since,
                        plan.progressDeadline(),
                        CapacityHold.Override.of(override(mr)),
                        clock.instant(),
                        Readiness.hasReadyPod(stable),
                        critical(decision)))
                .orElse(null);
    }

    /** Whether the way back to stable follows a rollback for a critical safety failure (the pass that decides it, or later). */
    static boolean critical(Decision decision) {
        return decision.reason() == ConditionReason.CriticalGateFailed
                || CapacityHold.criticalFailure(decision.status());
    }

    private static int share(TrafficSplit split) {
        return split.canaryRunning() ? split.publicCanaryWeight() : 0;
    }

    /** The value of the {@value CapacityHold#ANNOTATION} annotation, or null. */
    public static String override(ModelRelease mr) {
        var annotations = mr.getMetadata().getAnnotations();
        return annotations == null ? null : annotations.get(CapacityHold.ANNOTATION);
    }

    /**
     * {@code status.canaryHeldSince}: when the hold on the way back to stable began, while it lasts, and after it ended
     * early (its limit, the override) as long as stable is short of {@code replicas} ready pods and nobody is to go to
     * the canary; null otherwise.
     */
    private static Instant heldSince(
            Plan plan, ModelReleaseStatus old, Decision decision, Deployment stable, CapacityHold hold) {
        if (hold != null) {
            return hold.since();
        }
        Instant since = CapacityHold.recordedSince(old, decision.status());
        boolean whole = Readiness.atFullSize(stable, ServingIdentity.stableWanted(decision.status()), plan.replicas());
        return since != null && decision.split().sendsNoUsersToCanary() && !whole ? since : null;
    }

    /**
     * The capacity step of this pass when the spec sets {@code server.canary} or {@code server.dynamicStableScale}
     * (empty otherwise: the router sizes the tracks and the routes follow the split at once). The routes carried the
     * weight the status holds ({@code status.canaryHeldWeight}), or else the stored status's split; each track counts
     * its replicas that are ready and run what it is to run.
     */
    private static Optional<Capacity.Step> capacityStep(
            ModelRelease mr,
            Plan plan,
            ModelReleaseStatus old,
            Decision decision,
            Deployment stable,
            Deployment canary) {
        Capacity capacity = Capacity.of(mr.getSpec().getServer(), plan.replicas());
        if (!capacity.managed()) {
            if (!holdInProgress(mr, old, decision, canary)) {
                return Optional.empty();
            }
            // a valid edit took server.canary / dynamicStableScale out while the routes hold the canary's weight: the
            // hold goes on, bounded as before, until stable is whole and ready (as InvalidHandover's does)
            capacity = new Capacity(plan.replicas(), null, false, 0);
        }
        TrafficSplit split = decision.split();
        TrafficSplit before = old.getCanaryHeldWeight() != null && CanaryDrain.hasPods(canary)
                ? Capacity.held(split, canaryVersion(old, canary), old.getCanaryHeldWeight())
                : Splits.of(old);
        boolean promoting = Stage.fromWire(decision.status().getStage()) == Stage.PROMOTING;
        return Optional.of(capacity.step(
                split,
                before,
                Readiness.readyReplicas(stable, ServingIdentity.stableWanted(decision.status())),
                Readiness.readyReplicas(canary, ServingIdentity.of(plan)),
                Readiness.podsHeld(stable),
                Readiness.podsHeld(canary),
                promoting));
    }

    /**
     * Whether the routes hold a canary's weight on the way back to stable that this spec no longer sizes: the status
     * records a held weight, the split sends nobody to the canary or the hold began so ({@code canaryHeldSince}: a
     * {@code retry} during it), the canary still has pods, and the gatewayAPI router carries the weight. A hold on the
     * way up (a canary not yet ready for its next step) ends with the fields: the routes follow the split.
     */
    private static boolean holdInProgress(
            ModelRelease mr, ModelReleaseStatus old, Decision decision, Deployment canary) {
        return old.getCanaryHeldWeight() != null
                && (decision.split().sendsNoUsersToCanary()
                        || CapacityHold.recordedSince(old, decision.status()) != null)
                && CanaryDrain.hasPods(canary)
                && Routers.kind(mr) == Router.GATEWAY_API;
    }

    /**
     * The version the canary's pods run: the stored status's, else its Deployment's version label (also
     * {@link InvalidHandover}'s).
     */
    static String canaryVersion(ModelReleaseStatus old, Deployment canary) {
        if (old.getCanaryVersion() != null) {
            return old.getCanaryVersion();
        }
        var labels = canary.getSpec().getTemplate().getMetadata().getLabels();
        String v = labels == null ? null : labels.get(Labels.VERSION);
        return v == null ? "" : v;
    }

    /**
     * Until when the public Service keeps a leaving canary's pods (null: no hold). A decision that ends the rollout is
     * stored before {@link #act} runs, with this time already in its status: the hold it recorded then is the one kept,
     * since the stored status no longer says that public traffic was on the canary.
     */
    public Instant holdUntil(
            TrafficRouter router,
            Plan plan,
            ModelReleaseStatus old,
            Decision decision,
            Deployment stable,
            Deployment canary) {
        if (!router.splitsByReplicas()) {
            return null;
        }
        TrafficSplit split = decision.split();
        boolean leaving = CanaryDrain.hasPods(canary)
                && ((!frozen(old, canary) && replaced(plan, split, canary)) || !split.canaryRunning());
        ModelReleaseStatus basis =
                old.getCanaryPublicHoldUntil() == null && decision.status().getCanaryPublicHoldUntil() != null
                        ? decision.status()
                        : old;
        return CanaryDrain.holdUntil(
                basis,
                leaving,
                Readiness.atFullSize(
                        stable,
                        ServingIdentity.stableWanted(decision.status()),
                        router.replicas(plan, split).stable()),
                decision.reason() == ConditionReason.Aborted || decision.reason() == ConditionReason.CriticalGateFailed,
                clock.instant());
    }

    /** A canary built otherwise while the stored status still sends users to it: only its replicas change. */
    private boolean frozen(ModelReleaseStatus old, Deployment canary) {
        return workloads.builtOtherwise(canary) && !Splits.of(old).sendsNoUsersToCanary();
    }

    private static KubernetesClientException attempt(Runnable write) {
        try {
            write.run();
            return null;
        } catch (KubernetesClientException e) {
            return e;
        }
    }

    private static boolean shrinks(Deployment stable, int replicas) {
        return stable != null
                && stable.getSpec().getReplicas() != null
                && replicas < stable.getSpec().getReplicas();
    }

    /**
     * Whether the canary's pod template is to change: another version or configuration, or a template this operator
     * builds otherwise (the engine then restarts the rollout from preflight, so no user is on it).
     */
    private boolean replaced(Plan plan, TrafficSplit split, Deployment canary) {
        return split.canaryRunning()
                && canary != null
                && (!Readiness.runs(canary, ServingIdentity.of(plan)) || workloads.builtOtherwise(canary));
    }
}
