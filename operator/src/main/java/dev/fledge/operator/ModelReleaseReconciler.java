package dev.fledge.operator;

import dev.fledge.api.Labels;
import dev.fledge.api.ModelRelease;
import dev.fledge.api.status.CapacityStatus;
import dev.fledge.api.status.ModelReleaseStatus;
import dev.fledge.api.status.Phase;
import dev.fledge.core.rollout.ActionRecord;
import dev.fledge.core.rollout.AutoscaledFloor;
import dev.fledge.core.rollout.Capacity;
import dev.fledge.core.rollout.CapacityHold;
import dev.fledge.core.rollout.CapacityHoldReport;
import dev.fledge.core.rollout.Conditions;
import dev.fledge.core.rollout.Decision;
import dev.fledge.core.rollout.EventReason;
import dev.fledge.core.rollout.GatePlan;
import dev.fledge.core.rollout.GateVerdict;
import dev.fledge.core.rollout.ManualAction;
import dev.fledge.core.rollout.Observation;
import dev.fledge.core.rollout.Plan;
import dev.fledge.core.rollout.PlanResolver;
import dev.fledge.core.rollout.RolloutEngine;
import dev.fledge.core.rollout.RolloutEvent;
import dev.fledge.core.rollout.RoutesAccepted;
import dev.fledge.core.rollout.Schedule;
import dev.fledge.core.rollout.ServingIdentity;
import dev.fledge.core.rollout.SpecWarning;
import dev.fledge.core.rollout.Splits;
import dev.fledge.core.rollout.Stage;
import dev.fledge.core.rollout.StatusCopy;
import dev.fledge.core.rollout.StatusWriter;
import dev.fledge.operator.gates.Gate;
import dev.fledge.operator.gates.GateContext;
import dev.fledge.operator.gates.GateProvider;
import dev.fledge.operator.gates.GateRunner;
import dev.fledge.operator.gates.GateWakeups;
import dev.fledge.operator.gates.safety.UnjudgedCategories;
import dev.fledge.operator.gates.safety.WordListLiveOutputs;
import dev.fledge.operator.k8s.ActionAnnotation;
import dev.fledge.operator.k8s.Deletions;
import dev.fledge.operator.k8s.EditsDuringAPass;
import dev.fledge.operator.k8s.EventRecorder;
import dev.fledge.operator.k8s.HeldAnalyses;
import dev.fledge.operator.k8s.LeanItemStore;
import dev.fledge.operator.k8s.Spread;
import dev.fledge.operator.k8s.UnstoredDecisions;
import dev.fledge.operator.metrics.OperatorMetrics;
import dev.fledge.operator.notify.Notification;
import dev.fledge.operator.notify.Notifier;
import dev.fledge.operator.routing.Routers;
import dev.fledge.operator.routing.RoutesOutsideLimits;
import dev.fledge.operator.routing.TrafficRouter;
import dev.fledge.operator.routing.Unaccepted;
import dev.fledge.operator.validation.SpecValidator;
import dev.fledge.operator.workload.Handover;
import dev.fledge.operator.workload.InvalidHandover;
import dev.fledge.operator.workload.Names;
import dev.fledge.operator.workload.Ownership;
import dev.fledge.operator.workload.Readiness;
import dev.fledge.operator.workload.ShardMoves;
import dev.fledge.operator.workload.TrackCapacities;
import dev.fledge.operator.workload.Workloads;
import io.fabric8.kubernetes.api.model.ObjectMetaBuilder;
import io.fabric8.kubernetes.api.model.apps.Deployment;
import io.fabric8.kubernetes.client.KubernetesClientException;
import io.javaoperatorsdk.operator.api.config.informer.Informer;
import io.javaoperatorsdk.operator.api.config.informer.InformerEventSourceConfiguration;
import io.javaoperatorsdk.operator.api.reconciler.Context;
import io.javaoperatorsdk.operator.api.reconciler.ControllerConfiguration;
import io.javaoperatorsdk.operator.api.reconciler.EventSourceContext;
import io.javaoperatorsdk.operator.api.reconciler.MaxReconciliationInterval;
import io.javaoperatorsdk.operator.api.reconciler.Reconciler;
import io.javaoperatorsdk.operator.api.reconciler.UpdateControl;
import io.javaoperatorsdk.operator.processing.event.ResourceID;
import io.javaoperatorsdk.operator.processing.event.source.EventSource;
import io.javaoperatorsdk.operator.processing.event.source.informer.InformerEventSource;
import io.javaoperatorsdk.operator.processing.event.source.informer.Mappers;
import io.javaoperatorsdk.operator.processing.retry.GradualRetry;
import io.micrometer.core.instrument.Timer;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.time.temporal.ChronoUnit;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.Optional;
import java.util.Set;
import java.util.concurrent.TimeUnit;
import java.util.function.Consumer;
import java.util.function.Function;
import java.util.stream.Collectors;
import org.jboss.logging.Logger;

/**
 * Thin reconciler: observe, validate, decide (the pure {@link RolloutEngine}), act (workloads and route), patch
 * status. Generation-aware filtering is off so that the {@code fledge.dev/action} annotation, which does not bump
 * the generation, is seen. Delete events and releases marked for deletion (another finalizer may hold one) reach the
 * reconciler too ({@code triggerReconcilerOnAllEvents}, without a finalizer of its own; in the shipped operator through
 * {@code OperatorRegistration}, as quarkus-operator-sdk drops the setting), so that what the operator keeps for a
 * deleted release (its metrics first) is dropped; {@link Deletions} does the same whatever the setting. Its children go
 * with it by owner reference.
 */
@ControllerConfiguration(
        name = ModelReleaseReconciler.NAME,
        generationAwareEventProcessing = false,
        triggerReconcilerOnAllEvents = true,
        informer = @Informer(itemStore = LeanItemStore.class),
        maxReconciliationInterval = @MaxReconciliationInterval(interval = 5, timeUnit = TimeUnit.MINUTES))
@GradualRetry(maxAttempts = -1, initialInterval = 1000, intervalMultiplier = 2, maxInterval = 60_000)
public class ModelReleaseReconciler implements Reconciler<ModelRelease> {
    /**
     * A failing reconcile is retried for ever ({@code maxAttempts = -1}: JOSDK's default gives up after 5 tries, and a
     * rollback or a timer would then wait for an unrelated event), 1 s, 2 s, 4 s ... and then every minute.
     */
    public static final Duration MAX_RETRY_INTERVAL = Duration.ofMinutes(1);
    /** Every release is reconciled at least this often, whatever events and timers say (JOSDK's default is 10 h). */
    public static final Duration MAX_RECONCILIATION_INTERVAL = Duration.ofMinutes(5);

    public static final String NAME = "modelrelease";
    private static final Logger LOG = Logger.getLogger(ModelReleaseReconciler.class);
    private static final Duration AT_ONCE = Requeue.AT_ONCE;
    /** How soon a release whose Deployments were relabelled for this shard is looked at again (ShardMoves). */
    private static final Duration SHARD_MOVE_RETRY = Duration.ofSeconds(1);
    /**
     * How soon a release whose route did not come out as wanted (or whose stale routes could not all be removed) is
     * reconciled again: a Promoted release has no requeue of its own.
     */
    public static final Duration DRIFT_RETRY = Duration.ofSeconds(15);
    /**
     * How soon a release is reconciled again while a Gateway has not accepted its route (it takes a Gateway a moment to
     * program one); once that wait has been reported as a {@code RouteNotAccepted} Warning, {@link #DRIFT_RETRY}.
     */
    public static final Duration ACCEPTANCE_RETRY = Duration.ofSeconds(2);
    /** The condition that is True while a route of the release waits for its Gateway ({@link Unaccepted}). */
    public static final String ROUTE_NOT_ACCEPTED = Conditions.ROUTE_NOT_ACCEPTED;
    /**
     * The condition that is True while the split the status stands for is not what the cluster has: a route came out
     * of the API server other than written (reason {@code RouteDrift}), or a write of the pass failed (reason
     * {@code WriteFailed}). It goes once a pass applies the split.
     */
    public static final String ROUTE_NOT_APPLIED = Conditions.ROUTE_NOT_APPLIED;

    private final Clock clock;
    private final PlanResolver plans;
    private final SpecValidator validator;
    private final Routers routers;
    private final Workloads workloads;
    private final GateProvider gates;
    private final EventRecorder events;
    private final ActionAnnotation actions;
    private final OperatorMetrics metrics;
    private final Notifier notifier;
    private final ShardMoves shardMoves;
    private final GateWakeups wakeups;
    private final RolloutEngine engine = new RolloutEngine();
    private final StatusWriter status = new StatusWriter();
    /** Statuses of analyses held in memory instead of written (AnalysisHold). */
    private final HeldAnalyses heldAnalyses = new HeldAnalyses();

    private final GateRunner runner = new GateRunner();
    /** Decisions that end a rollout whose status write failed, until a retry stores them (also across restarts). */
    private final UnstoredDecisions unstored;

    private final Handover handover;
    /** The event source that hears deletions; set when the controller is registered. */
    private volatile Deletions deletions;

    private final InvalidHandover invalidHandover;

    public ModelReleaseReconciler(
            Clock clock,
            PlanResolver plans,
            SpecValidator validator,
            Routers routers,
            Workloads workloads,
            GateProvider gates,
            EventRecorder events,
            ActionAnnotation actions,
            UnstoredDecisions unstored,
            OperatorMetrics metrics,
            Notifier notifier,
            ShardMoves shardMoves) {
        this.clock = clock;
        this.plans = plans;
        this.validator = validator;
        this.routers = routers;
        this.workloads = workloads;
        this.handover = new Handover(workloads, clock);
        this.invalidHandover = new InvalidHandover(workloads, routers.retreat(), clock);
        this.gates = gates;
        this.events = events;
        this.actions = actions;
        this.unstored = unstored;
        this.metrics = metrics;
        this.notifier = notifier;
        this.shardMoves = shardMoves;
        this.wakeups = gates.wakeups();
    }

    @Override
    public List<EventSource<?, ModelRelease>> prepareEventSources(EventSourceContext<ModelRelease> context) {
        var deployments = InformerEventSourceConfiguration.from(Deployment.class, ModelRelease.class)
                .withLabelSelector(shardMoves.shard().deploymentSelector())
                .withSecondaryToPrimaryMapper(Mappers.fromOwnerReferences(ModelRelease.class))
                .withItemStore(new LeanItemStore<>())
                .build();
        List<EventSource<?, ModelRelease>> sources = new ArrayList<>();
        sources.add(new InformerEventSource<>(deployments, context));
        sources.addAll(routers.owned().eventSources(context, shardMoves.shard().deploymentSelector()));
        sources.addAll(wakeups.eventSources());
        deletions = new Deletions(this::forget, id -> held(id, context.getPrimaryCache()::get));
        sources.add(deletions);
        return sources;
    }

    @Override
    public UpdateControl<ModelRelease> reconcile(ModelRelease mr, Context<ModelRelease> context) {
        if (!context.isPrimaryResourceDeleted()) {
            return checked(mr, context);
        }
        UpdateControl<ModelRelease> control;
        if (cachedIsThisOne(mr, context)) {
            // JOSDK hands a delete event's pass the latest cached release: one made again under the deleted one's
            // name ({@link Deletions} forgot the deleted one)
            control = checked(mr, context);
        } else {
            forget(mr); // again: Deletions did before this pass, a pass that ended meanwhile may have kept some
            control = UpdateControl.noUpdate();
        }
        // JOSDK drops this pass's reschedule and every event of the name that came during it. Not after a pass that
        // threw: JOSDK keeps the name's events then, and retries with its backoff
        Deletions wake = deletions;
        if (wake != null) {
            wake.deletePassEnded(ResourceID.fromResource(mr));
        }
        return control;
    }

    /**
     * A pass of a release in the cache, and what it finds there at its end: a release gone during the pass is
     * forgotten, one edited during it is reconciled again.
     */
    private UpdateControl<ModelRelease> checked(ModelRelease mr, Context<ModelRelease> context) {
        if (!shardMoves.shard().selects(mr)) {
            // a copy of a release that left this shard's selector (JOSDK keeps the response of this operator's last
            // write of it for a while): another shard's now
            forget(mr);
            return UpdateControl.noUpdate();
        }
        UpdateControl<ModelRelease> control;
        try {
            control = pass(mr, context);
        } catch (RuntimeException e) {
            if (goneDuringThePass(mr, context)) { // its writes failed because it is gone: nothing to retry
                return UpdateControl.noUpdate();
            }
            throw e;
        }
        if (goneDuringThePass(mr, context)) {
            return control;
        }
        Optional<ModelRelease> latest = context.getPrimaryCache().get(ResourceID.fromResource(mr));
        if (EditsDuringAPass.changed(mr, latest)) {
            // edited while this pass wrote its status: the edit's own event was dropped as older than that write
            return control.rescheduleAfter(AT_ONCE);
        }
        return control;
    }

    /**
     * Whether the release was deleted while this pass ran; if so, it is forgotten again ({@link Deletions} may have
     * forgotten it before the pass was done with it). Not if a release of the same name took its place (another uid):
     * most of what is kept is keyed by name, and is the new release's now; its own passes replace what is left.
     */
    private boolean goneDuringThePass(ModelRelease mr, Context<ModelRelease> context) {
        Optional<ModelRelease> now = held(ResourceID.fromResource(mr), context.getPrimaryCache()::get);
        if (now.isEmpty()) {
            forget(mr);
            return true;
        }
        return !sameUid(now.get(), mr);
    }

    /**
     * The release the cache holds under {@code id} if this shard's selector takes it: the cache can hold for a while
     * the response of this operator's last write of a release that has left the selector since (another shard's now).
     */
    private Optional<ModelRelease> held(ResourceID id, Function<ResourceID, Optional<ModelRelease>> cache) {
        return cache.apply(id).filter(shardMoves.shard()::selects);
    }

    /** Whether the cache holds {@code mr} itself under its name (the same uid), not a release made again. */
    private boolean cachedIsThisOne(ModelRelease mr, Context<ModelRelease> context) {
        return held(ResourceID.fromResource(mr), context.getPrimaryCache()::get)
                .filter(cached -> sameUid(cached, mr))
                .isPresent();
    }

    private static boolean sameUid(ModelRelease a, ModelRelease b) {
        return Objects.equals(a.getMetadata().getUid(), b.getMetadata().getUid());
    }

    /** What the operator keeps for a deleted release goes ({@link Deletions}, or the pass that finds it gone). */
    private void forget(ModelRelease mr) {
        // gauges of a deleted release would stay exported, and FledgeRolloutStuck could fire for it
        metrics.forget(mr.getMetadata().getNamespace(), mr.getMetadata().getName());
        // its suite run (queued, running or done, with the whole suite) would stay, and a running one its slot
        gates.forget(mr.getMetadata().getNamespace(), mr.getMetadata().getName());
        unstored.forget(mr.getMetadata().getNamespace(), mr.getMetadata().getName());
        heldAnalyses.forget(mr);
        workloads.forget(mr);
        routers.forget(mr);
        shardMoves.forget(mr);
    }

    private UpdateControl<ModelRelease> pass(ModelRelease mr, Context<ModelRelease> context) {
        if (!shardMoves.settled(mr, deployments(context))) {
            // came to this shard with Deployments labelled for another: they were relabelled, the informer brings them
            return UpdateControl.<ModelRelease>noUpdate().rescheduleAfter(SHARD_MOVE_RETRY);
        }
        // also while another finalizer holds a deleted release: its Deployments run until it goes
        lockHostPaths(mr, context);
        if (mr.isMarkedForDeletion()) {
            return UpdateControl.noUpdate(); // being deleted (another finalizer holds it): leave it alone
        }
        Instant now = clock.instant().truncatedTo(ChronoUnit.MILLIS);
        ModelReleaseStatus recorded = mr.getStatus() == null ? new ModelReleaseStatus() : mr.getStatus();
        Timer.Sample started = metrics.startTimer();
        List<String> errors = validator.validate(mr);
        if (errors.isEmpty() && specChangedOrInvalid(mr, recorded)) {
            errors = routers.forRelease(mr).validate(mr);
        }
        if (!errors.isEmpty()) {
            Optional<UnstoredDecisions.Kept> rollback = unstored.findRollback(mr, recorded);
            if (rollback.isPresent()) {
                // a rollback decided before the spec turned invalid is stored first, or the Invalid status would
                // replace the status it was made from, and fixing the spec would resume the failed canary
                return storeKeptRollback(mr, context, recorded, rollback.get().decision(), now);
            }
            // an invalid spec need not resolve into a plan: the engine decides Invalid from the errors alone
            Observation invalid = observeAction(mr, recorded, Observation.invalid(errors));
            return writeInvalid(mr, context, null, recorded, engine.decide(null, recorded, invalid, now), now);
        }
        TrafficRouter router = routers.forRelease(mr);
        Plan resolved = plans.resolve(mr.getSpec()).withServing(workloads.serving(mr));
        Deployment stable = deployment(context, Names.deployment(mr, Labels.TRACK_STABLE));
        Deployment canary = deployment(context, Names.deployment(mr, Labels.TRACK_CANARY));
        // a status from an older operator lacks the tracks' configuration hashes: read them from the Deployments
        // or the status of an analysis held in memory since the status was last written (AnalysisHold)
        ModelReleaseStatus old = heldAnalyses.overlay(mr, workloads.withLiveIdentity(mr, recorded, stable, canary));

        // a decision that ends the rollout (above all a rollback) is stored before anything moves, so a failed write
        // afterwards cannot undo it: the retried reconcile reads it from status and routes it. If that first status
        // write fails, the decision is kept (UnstoredDecisions: in memory and in an annotation, while the status and
        // the
        // spec's canary stay as they were) and the retry stores it as it is, rather than deciding again on other
        // verdicts
        ServingIdentity planned = ServingIdentity.of(resolved);
        Optional<UnstoredDecisions.Kept> kept = unstored.find(mr, recorded, old, planned);
        Observation obs;
        Decision decision;
        if (kept.isPresent()) {
            obs = kept.get().observation() != null
                    ? kept.get().observation()
                    : observe(
                            mr, resolved, old, stable, canary); // read back after a restart: its verdicts are not kept
            decision = kept.get().decision();
        } else {
            obs = observe(mr, resolved, old, stable, canary);
            // a suite run that ended or an answer that came (off this thread) is read at once rather than at the next
            // interval; kept for a pass that runs the gates while the canary is not ready
            boolean woken = obs.canaryReady() && wakeups.take(mr);
            if (obs.canaryReady() && Schedule.gatesDue(resolved, old, now, woken)) {
                Timer.Sample gatesStarted = metrics.startTimer();
                obs = obs.withVerdicts(evaluate(mr, resolved, old, now));
                metrics.reconcilePart("gates", gatesStarted);
            }
            decision = engine.decide(resolved, old, obs, now);
        }
        // under spec.server.autoscaling, the size this pass shares out between the tracks (AutoscaledFloor)
        Plan plan = sized(mr, resolved, decision, stable, canary);
        ModelReleaseStatus stored = null;
        UpdateControl<ModelRelease> control = null;
        if (decision.endsRollout(old)) {
            // the public hold starts from the status before this decision (it says public traffic was on the canary)
            Instant holdFirst = handover.holdUntil(router, plan, old, decision, stable, canary);
            decision.status().setCanaryPublicHoldUntil(holdFirst == null ? null : holdFirst.toString());
            // so is the capacity hold (dynamicStableScale): a failed write after this one, or a restart, must not find
            // a rollback with no weight held, and send everyone to a stable that gave up its pods
            Handover.Held heldFirst = handover.held(mr, plan, old, decision, stable, canary);
            decision.status().setCanaryHeldWeight(heldFirst.weight());
            decision.status()
                    .setCanaryHeldSince(
                            heldFirst.since() == null ? null : heldFirst.since().toString());
            List<SpecWarning> first = new ArrayList<>(stillWaiting(old));
            CapacityHoldReport.condition(
                            heldFirst.hold(),
                            heldFirst.weight(),
                            heldFirst.since(),
                            Readiness.readyReplicas(stable, ServingIdentity.stableWanted(decision.status())),
                            plan.replicas())
                    .ifPresent(first::add);
            Observation seen = obs;
            Decision decided = decision;
            control = write(mr, context, plan, old, decision, obs.verdicts(), now, first, refused -> {
                unstored.keep(mr, recorded, old, planned, seen, decided);
                routeUnstored(mr, router, plan, old, decided, stable, canary, refused);
            });
            stored = decision.status();
        }
        Timer.Sample applyStarted = metrics.startTimer();
        Handover.Result acted;
        try {
            // traffic first, pods after (Handover): a canary whose configuration changes is replaced only once no
            // route sends it requests, and one the split no longer runs is scaled down only after the delay
            acted = handover.act(mr, router, plan, old, decision, stable, canary);
        } catch (KubernetesClientException e) {
            if (stored != null) {
                // the decision is stored: a refused or failed write delays it, never cancels it; say so and retry
                events.record(
                        mr,
                        new RolloutEvent(
                                EventReason.RouteDrift,
                                "the " + stored.getPhase().wireName() + " decision is recorded, but a write failed ("
                                        + e.getCode() + "): " + e.getMessage() + "; retrying"));
                sayNotApplied(mr, context, stored, null, e, now);
                throw e;
            }
            if (e.getCode() == 422 || e.getCode() == 400) {
                // an object the release does not control is not a spec error of the generated object: say so plainly
                List<String> rejected = List.of(
                        e instanceof Ownership.NotOwned
                                ? e.getMessage()
                                : "spec.server: the API server rejected a generated object: " + e.getMessage());
                return writeInvalid(
                        mr, context, plan, old, engine.decide(plan, old, obs.withSpecErrors(rejected), now), now);
            }
            // nothing of this pass is stored: the status says why, unless another writer changed it since it was read;
            // with what earlier passes held in memory (an "evaluating" placeholder), which this write would drop
            sayNotApplied(
                    mr,
                    context,
                    heldAnalyses.overlay(mr, recorded),
                    mr.getMetadata().getResourceVersion(),
                    e,
                    now);
            throw e;
        }
        metrics.reconcilePart("apply", applyStarted);
        Optional<String> drift = acted.drift();
        List<Unaccepted> pending = acted.pending();
        Instant scaleDownAt = acted.scaleDownAt();
        // the time the written decision was taken at: its requeue counts from it
        Instant decidedAt = now;
        if (stored == null && kept.isEmpty() && pending.isEmpty() && drift.isEmpty() && acted.heldWeight() == null) {
            // the routes the stored status said were waiting are accepted and as written: the stage (or step) they held
            // starts in this pass's status write, not in a pass of its own after it (RoutesAccepted: only when that
            // decision routes what this pass applied); its time counts from now, after they were found accepted, not
            // from the pass's start (so no reading of this pass is of the stage either)
            Instant found = clock.instant().truncatedTo(ChronoUnit.MILLIS);
            Optional<Decision> starts = RoutesAccepted.startWaitingStage(resolved, old, obs, found, decision);
            if (starts.isPresent()) {
                decision = starts.get();
                decidedAt = found;
            }
        }
        drift.ifPresent(diff -> events.record(
                mr,
                new RolloutEvent(
                        EventReason.RouteDrift, "route does not match the desired split after apply: " + diff)));
        // a route the Gateway has not taken yet is no fault at first (programming one takes a moment): a Warning only
        // once the wait has lasted, once per wait; meanwhile the status says what the release waits for
        pending.stream()
                .filter(Unaccepted::warn)
                .forEach(p -> events.record(
                        mr,
                        new RolloutEvent(
                                EventReason.RouteNotAccepted,
                                p.message() + ", for " + p.waited().toSeconds()
                                        + " s; the canary keeps its pods and its pod"
                                        + " template until every parent accepts the route")));
        List<SpecWarning> waiting = new ArrayList<>(waiting(pending));
        drift.ifPresent(diff -> waiting.add(new SpecWarning(
                ROUTE_NOT_APPLIED, "RouteDrift", "route does not match the desired split after apply: " + diff)));
        Phase phase = decision.status().getPhase();
        if (!obs.canaryReady()
                && stored == null
                && (phase == Phase.PROGRESSING || phase == Phase.PAUSED)
                && decision.split() != null
                && decision.split().canaryRunning()) {
            // why not, from its pods: a sha256 mismatch or a pod no node takes shows now, not at progressDeadline;
            // a Warning once per reason, told from the stored condition (so not again after a restart)
            workloads.canaryTrouble(mr, canary, planned).ifPresent(trouble -> {
                waiting.add(trouble);
                if (!Conditions.has(old, trouble.type(), trouble.reason())) {
                    events.record(mr, new RolloutEvent(EventReason.CanaryNotReady, trouble.message()));
                }
            });
        }
        int stableReady = Readiness.readyReplicas(stable, ServingIdentity.stableWanted(decision.status()));
        CapacityHoldReport.condition(
                        acted.capacityHold(), acted.heldWeight(), acted.heldSince(), stableReady, plan.replicas())
                .ifPresent(waiting::add);
        String heldSince = acted.heldSince() == null ? null : acted.heldSince().toString();
        Instant holdUntil = acted.holdUntil();
        String drainAt = scaleDownAt == null ? null : scaleDownAt.toString();
        String holdAt = holdUntil == null ? null : holdUntil.toString();
        CapacityStatus capacity = capacity(mr, plan, old, stable, canary);
        if (stored == null) {
            decision.status().setCanaryScaleDownAt(drainAt);
            decision.status().setCanaryPublicHoldUntil(holdAt);
            decision.status().setCanaryHeldWeight(acted.heldWeight());
            decision.status().setCanaryHeldSince(heldSince);
            decision.status().setCapacity(capacity);
            control = write(mr, context, plan, old, decision, obs.verdicts(), now, waiting, refused -> {});
        } else {
            // the stored decision gets the drain and hold times of this pass (the routes moved now) and what its routes
            // wait for; if this write fails, the retry reads the stored decision and counts them from its own pass
            ModelReleaseStatus before = StatusCopy.of(stored);
            stored.setCanaryScaleDownAt(drainAt);
            stored.setCanaryPublicHoldUntil(holdAt);
            stored.setCanaryHeldWeight(acted.heldWeight());
            stored.setCanaryHeldSince(heldSince);
            stored.setCapacity(capacity);
            status.finish(
                            before,
                            decision,
                            mr.getMetadata().getGeneration(),
                            now,
                            warnings(mr, context, decision, waiting))
                    .ifPresent(st -> patchStatus(mr, context, st));
        }
        CapacityHoldReport.ended(acted.capacityHold(), stableReady, plan.replicas())
                .ifPresent(e -> events.record(mr, e));
        settleHoldOverride(mr, acted.capacityHold());
        Duration requeue = new Requeue(
                        decision.requeueAfter(),
                        scaleDownAt,
                        holdUntil,
                        acted.heldWeight(),
                        decision.status(),
                        obs.canaryReady(),
                        pending.stream().map(Unaccepted::waited).toList(),
                        drift.isPresent())
                .after(now, decidedAt, clock.instant());
        // with nothing to look at soon, at least every MAX_RECONCILIATION_INTERVAL (JOSDK's timer, which would bring
        // releases promoted together back together): spread per release
        control.rescheduleAfter(requeue != null ? requeue : Spread.period(Spread.own(mr), MAX_RECONCILIATION_INTERVAL));
        metrics.reconcilePart("total", started);
        return control;
    }

    /**
     * A decision that ends the rollout could not be stored. It is kept ({@link UnstoredDecisions}) and stored by a
     * retry; meanwhile, if it sends nobody to the canary (a rollback, an abort), its users are sent to stable now: a
     * status write that keeps failing (a 422, an RBAC or webhook refusal) must not keep them on a canary whose gates
     * failed.
     */
    private void routeUnstored(
            ModelRelease mr,
            TrafficRouter router,
            Plan plan,
            ModelReleaseStatus old,
            Decision decision,
            Deployment stable,
            Deployment canary,
            RuntimeException refused) {
        if (!decision.split().sendsNoUsersToCanary()) {
            return;
        }
        String why = refusal(refused);
        try {
            Handover.Result acted = handover.act(mr, router, plan, old, decision, stable, canary);
            CapacityHold hold = acted.capacityHold();
            // a capacity hold keeps the canary's share until stable is whole, bounded from when it began (kept with
            // the unstored decision): the event says where the users are, not where they are going
            String where = acted.heldWeight() != null && hold != null
                    ? "the routes keep " + acted.heldWeight() + "% of public traffic on the canary until stable is"
                            + " whole and ready (capacity hold since " + hold.since() + ", at most until "
                            + hold.until() + " unless " + CapacityHold.ANNOTATION + "=keep; "
                            + CapacityHold.ANNOTATION + "=release sends everyone to stable now), the other"
                            + " users were sent to stable"
                    : "its users were sent to stable";
            events.record(
                    mr,
                    new RolloutEvent(
                            EventReason.RouteDrift,
                            "the " + decision.status().getPhase().wireName() + " decision could not be stored (" + why
                                    + "); " + where + ", and storing it is retried"));
        } catch (RuntimeException e) {
            events.record(
                    mr,
                    new RolloutEvent(
                            EventReason.RouteDrift,
                            "the " + decision.status().getPhase().wireName() + " decision could not be stored (" + why
                                    + ") nor routed (" + e.getMessage() + "); retrying"));
        }
    }

    /**
     * The {@value #ROUTE_NOT_APPLIED} condition on {@code base} (the status as stored), for a write of this pass that
     * failed: the reconcile is retried, and meanwhile the status says that the split it stands for is not applied.
     * Written once per failure code (a message that differs from pass to pass, say with a request id, is no news, and every
     * status write is an event that would start the next pass at once, past the retry's backoff). With {@code
     * resourceVersion}, the write is refused if the release changed since (another writer's status is not overwritten).
     * Best effort: a refused status write is logged, and the failure that led here is the one thrown.
     */
    private void sayNotApplied(
            ModelRelease mr,
            Context<ModelRelease> context,
            ModelReleaseStatus base,
            String resourceVersion,
            KubernetesClientException e,
            Instant now) {
        boolean said = base.getConditions() != null
                && base.getConditions().stream()
                        .anyMatch(c -> ROUTE_NOT_APPLIED.equals(c.getType())
                                && "True".equals(c.getStatus())
                                && "WriteFailed".equals(c.getReason())
                                && c.getMessage() != null
                                && c.getMessage().contains("(" + e.getCode() + ")"));
        if (said) {
            return;
        }
        ModelReleaseStatus next = StatusCopy.of(base);
        Conditions.put(
                next,
                new SpecWarning(
                        ROUTE_NOT_APPLIED,
                        "WriteFailed",
                        "the split is not applied: a write failed (" + e.getCode() + "): " + e.getMessage()
                                + "; retrying"),
                now);
        try {
            patchStatus(mr, context, next, resourceVersion);
        } catch (RuntimeException refused) {
            LOG.warnf(
                    "%s/%s: could not say in its status that a write failed: %s",
                    mr.getMetadata().getNamespace(), mr.getMetadata().getName(), refused.getMessage());
        }
    }

    /**
     * A rollback (or abort, cancel) whose status write was refused, found while the spec is invalid: stored as it was
     * decided and acted on as an abort of an invalid release is ({@link #writeInvalid}: stable grows to what the public
     * Service held, a promotion's stable goes back to its recorded configuration, the users go to stable through the
     * release's own routes and Services), and the release is reconciled again at once, which then decides Invalid from
     * the stored rollback.
     */
    private UpdateControl<ModelRelease> storeKeptRollback(
            ModelRelease mr, Context<ModelRelease> context, ModelReleaseStatus recorded, Decision kept, Instant now) {
        return writeInvalid(mr, context, null, recorded, kept, now).rescheduleAfter(AT_ONCE);
    }

    /**
     * Writes an {@code Invalid} decision, then sends the canary's users back to stable ({@link InvalidHandover}): no
     * workload or route is built from a spec that is not valid; the release's own routes and Services are edited to
     * point at stable, and stable may grow to the pods the public Service held. A release with no users on a canary (a
     * new release, one invalid at rest) is not touched. Growing stable is best effort (a refusal is a {@code RouteDrift}
     * Warning; the hold still ends at its limit), the status is always written, and if that write fails the users are
     * sent to stable all the same (the public Service too: an unstored hold has no bound) before the retry, except
     * during a capacity hold that counts from the start the stored status records: it stays bounded by that start, so
     * the routes keep the canary's weight until stable is whole and ready or the hold ends. A failed
     * route edit is a {@code RouteDrift} Warning, retried soon. First, whatever the phase, the release's own HTTPRoutes
     * that lie outside the operator's route limits are deleted ({@link RoutesOutsideLimits}), a
     * {@code RouteOutsideLimits} Warning each.
     */
    private UpdateControl<ModelRelease> writeInvalid(
            ModelRelease mr,
            Context<ModelRelease> context,
            Plan plan,
            ModelReleaseStatus old,
            Decision d,
            Instant now) {
        // routes outside the operator's route limits (made before the limits were set) would keep their hostnames
        routers.outsideLimits()
                .remove(mr)
                .forEach(why -> events.record(mr, new RolloutEvent(EventReason.RouteOutsideLimits, why)));
        Deployment stable = deployment(context, Names.deployment(mr, Labels.TRACK_STABLE));
        boolean capacityHeld = old.getCanaryHeldWeight() != null || old.getCanaryHeldSince() != null;
        if (!Splits.heldAtStable(d.status()) && !d.endsRollout(old) && !capacityHeld) {
            // no user of this release is on a canary (nor, by a capacity hold, on its way back); stable runs what the
            // status records (an abort during promoting whose stable write failed is put right here, at every pass
            // until it holds)
            UpdateControl<ModelRelease> control = write(mr, context, plan, old, d, List.of(), now);
            Optional<String> notRestored =
                    invalidHandover.restoreStable(mr, d, stable, new InvalidHandover.Plan(null, 0));
            notRestored.ifPresent(why -> notRestored(mr, d, why));
            return notRestored.isPresent() ? control.rescheduleAfter(DRIFT_RETRY) : control;
        }
        Deployment canary = deployment(context, Names.deployment(mr, Labels.TRACK_CANARY));
        InvalidHandover.Plan retreat;
        try {
            retreat = invalidHandover.plan(mr, old, d, stable, canary);
        } catch (KubernetesClientException e) {
            retreat = new InvalidHandover.Plan(null, 0); // the public Service could not be read: no hold, no growth
        }
        Optional<String> notGrown = invalidHandover.grow(retreat, stable);
        Instant hold = retreat.holdUntil();
        d.status().setCanaryPublicHoldUntil(hold == null ? null : hold.toString());
        // server.canary / dynamicStableScale: the routes keep the canary's weight until stable is whole and ready
        d.status().setCanaryHeldWeight(retreat.heldWeight());
        d.status()
                .setCanaryHeldSince(
                        retreat.heldSince() == null ? null : retreat.heldSince().toString());
        int replicas = stable == null || stable.getSpec().getReplicas() == null
                ? 0
                : Math.max(stable.getSpec().getReplicas(), retreat.stableReplicas());
        int stableReady = Readiness.readyReplicas(stable, ServingIdentity.stableWanted(d.status()));
        String note = retreat.note();
        List<SpecWarning> held = CapacityHoldReport.condition(
                        retreat.capacityHold(), retreat.heldWeight(), retreat.heldSince(), stableReady, replicas)
                .map(w -> note == null ? w : new SpecWarning(w.type(), w.reason(), w.message() + "; " + note))
                .stream()
                .toList();
        UpdateControl<ModelRelease> control;
        try {
            control = write(mr, context, plan, old, d, List.of(), now, held, refused -> {});
        } catch (RuntimeException refused) {
            CapacityHold storedHold = retreat.capacityHold();
            if (retreat.heldWeight() != null
                    && storedHold != null
                    && storedHold.since().equals(CapacityHold.since(old.getCanaryHeldSince()))) {
                // a capacity hold that counts from the start the stored status records (not from now, which an
                // unstored pass would renew): it stays bounded, so the routes keep the canary's weight until stable is
                // whole and ready rather than overload it at once
                events.record(
                        mr,
                        new RolloutEvent(
                                EventReason.RouteDrift,
                                "the " + d.status().getPhase().wireName() + " decision could not be stored ("
                                        + refusal(refused) + "); the routes keep the canary's "
                                        + retreat.heldWeight() + "% of public traffic until stable is whole and"
                                        + " ready: the capacity hold that began at " + storedHold.since()
                                        + " ends at " + storedHold.until() + " (" + storedHold.verdict()
                                        + (storedHold.override() == CapacityHold.Override.KEEP
                                                ? ", " + CapacityHold.ANNOTATION + "=keep holds past it"
                                                : "")
                                        + "; " + CapacityHold.ANNOTATION + "=release ends it now)"
                                        + (retreat.note() == null ? "" : "; " + retreat.note())
                                        + "; storing it is retried"));
                throw refused;
            }
            Optional<String> left = invalidHandover.routeUnstored(mr);
            events.record(
                    mr,
                    new RolloutEvent(
                            EventReason.RouteDrift,
                            "the " + d.status().getPhase().wireName() + " decision could not be stored ("
                                    + refusal(refused) + "); "
                                    + left.map(diff -> "and " + diff)
                                            .orElse("its users were sent to stable, and storing it is retried")));
            throw refused;
        }
        Optional<String> notRestored = invalidHandover.restoreStable(mr, d, stable, retreat);
        notRestored.ifPresent(why -> notRestored(mr, d, why));
        notGrown.ifPresent(why -> events.record(
                mr,
                new RolloutEvent(
                        EventReason.RouteDrift,
                        "the invalid release's " + why + "; "
                                + (hold == null
                                        ? "tried again at the next pass"
                                        : "the public Service keeps the canary's pods until " + hold
                                                + " at most, then sends everyone to stable"))));
        Optional<String> drift = invalidHandover.route(mr, retreat);
        drift.ifPresent(diff -> events.record(
                mr,
                new RolloutEvent(
                        EventReason.RouteDrift, "the invalid release's users are not all back on stable: " + diff)));
        CapacityHoldReport.ended(retreat.capacityHold(), stableReady, replicas).ifPresent(e -> events.record(mr, e));
        settleHoldOverride(mr, retreat.capacityHold());
        boolean retry = drift.isPresent() || notRestored.isPresent() || retreat.heldWeight() != null;
        Duration requeue = Requeue.earliest(now, retry ? DRIFT_RETRY : null, hold);
        return requeue == null ? control : control.rescheduleAfter(requeue);
    }

    /**
     * Removes the {@value CapacityHold#ANNOTATION} override once no hold on the way back to stable goes on (it ended, or
     * there was none): it applies to the hold in progress, never to a later one.
     */
    private void settleHoldOverride(ModelRelease mr, CapacityHold hold) {
        String value = Handover.override(mr);
        if (value != null && (hold == null || !hold.verdict().holds())) {
            actions.remove(mr, CapacityHold.ANNOTATION, value);
        }
    }

    private void notRestored(ModelRelease mr, Decision d, String why) {
        events.record(
                mr,
                new RolloutEvent(
                        EventReason.RouteDrift,
                        "the " + d.status().getPhase().wireName() + " status is recorded, but the " + why
                                + "; retrying"));
    }

    /** The soonest of {@code wait} and of the {@code wakes} still ahead of {@code now} (nulls ignored); null if none. */
    private static String refusal(RuntimeException e) {
        return e instanceof KubernetesClientException k ? k.getCode() + ": " + k.getMessage() : e.toString();
    }

    /**
     * The router's look at the cluster (does the Gateway exist?) costs API requests, so it runs when the spec changed
     * since the last reconcile, or while the release is invalid, not on every requeue.
     */
    private static boolean specChangedOrInvalid(ModelRelease mr, ModelReleaseStatus old) {
        return old.getPhase() == Phase.INVALID
                || !Objects.equals(old.getObservedGeneration(), mr.getMetadata().getGeneration());
    }

    /**
     * Readiness of both tracks, whether the canary's pod template is one this operator builds otherwise, and the manual
     * action if there is a new one. An annotation that {@code status.action}
     * records as applied is not applied again: {@link #write} removes it once the status is stored.
     */
    private Observation observe(
            ModelRelease mr, Plan plan, ModelReleaseStatus old, Deployment stable, Deployment canary) {
        ServingIdentity canaryWanted = ServingIdentity.of(plan);
        return observeAction(
                mr,
                old,
                Observation.of(Readiness.ready(canary, canaryWanted), stableReady(mr, plan, old, stable))
                        .withCanaryTemplateChanged(
                                // a first release is not restarted (no stable to send its users to): its canary keeps
                                // its template and its rollout goes on, so the flag would only hold it for ever
                                old.getStableVersion() != null
                                        && canaryWanted.matches(old.getCanaryVersion(), old.getCanaryConfigHash())
                                        && workloads.builtOtherwise(canary)));
    }

    /**
     * {@code resolved} with, under {@code spec.server.autoscaling}, the size the tracks' autoscalers are held to in this
     * pass ({@link AutoscaledFloor#whole}); {@code resolved} otherwise.
     */
    private static Plan sized(ModelRelease mr, Plan resolved, Decision decision, Deployment stable, Deployment canary) {
        var autoscaling = mr.getSpec().getServer() == null
                ? null
                : mr.getSpec().getServer().getAutoscaling();
        if (autoscaling == null || decision.split() == null) {
            return resolved;
        }
        boolean promoting = Stage.fromWire(decision.status().getStage()) == Stage.PROMOTING;
        return resolved.withReplicas(AutoscaledFloor.whole(
                autoscaling, decision.split(), promoting, Readiness.replicas(stable), Readiness.replicas(canary)));
    }

    /**
     * {@code status.capacity} for a release that sizes its canary ({@code server.canary},
     * {@code server.dynamicStableScale}, {@code server.autoscaling}) or whose pods request GPUs; null for others, whose status then changes no more
     * often than before (not at every pod that gets ready).
     */
    private static CapacityStatus capacity(
            ModelRelease mr, Plan plan, ModelReleaseStatus old, Deployment stable, Deployment canary) {
        boolean gpus =
                (stable != null && TrackCapacities.gpusPerPod(stable.getSpec().getTemplate()) > 0)
                        || (canary != null
                                && TrackCapacities.gpusPerPod(canary.getSpec().getTemplate()) > 0);
        // and while a capacity hold goes on (its fields taken out of the spec mid-hold): an Invalid edit after that
        // still finds the size stable is to get back to
        boolean holding = old.getCanaryHeldWeight() != null || old.getCanaryHeldSince() != null;
        return gpus
                        || holding
                        || Capacity.of(mr.getSpec().getServer(), plan.replicas())
                                .managed()
                ? TrackCapacities.of(stable, canary, plan.replicas())
                : null;
    }

    /**
     * Whether stable is ready for what it is to run. Promoting under {@code server.dynamicStableScale}, stable grows a
     * few pods at a time ({@code Capacity}): it is ready only at {@code spec.server.replicas}, so the promotion never
     * ends on a stable that is not whole.
     */
    private static boolean stableReady(ModelRelease mr, Plan plan, ModelReleaseStatus old, Deployment stable) {
        ServingIdentity wanted = ServingIdentity.stableWanted(old);
        boolean growing = Stage.fromWire(old.getStage()) == Stage.PROMOTING
                && Capacity.of(mr.getSpec().getServer(), plan.replicas()).dynamic();
        return growing ? Readiness.atFullSize(stable, wanted, plan.replicas()) : Readiness.ready(stable, wanted);
    }

    /** The manual action on {@code mr}, added to {@code obs} if it is a new one. */
    private static Observation observeAction(ModelRelease mr, ModelReleaseStatus old, Observation obs) {
        Optional<String> raw = ManualAction.requestedOn(mr);
        if (raw.isEmpty()) {
            return ActionRecord.awaitsRemoval(old) ? obs.withActionRemoved() : obs;
        }
        return ActionRecord.awaitsRemoval(old, raw.get())
                ? obs
                : obs.withRequestedAction(raw.get(), mr.getMetadata().getResourceVersion());
    }

    private List<GateVerdict> evaluate(ModelRelease mr, Plan plan, ModelReleaseStatus st, Instant now) {
        Stage stage = Stage.fromWire(st.getStage());
        Set<String> due = plan.gatesFor(stage).stream().map(GatePlan::name).collect(Collectors.toSet());
        List<Gate> selected = gates.gates(mr, plan).stream()
                .filter(g -> due.contains(g.name()))
                .toList();
        GateContext ctx =
                new GateContext(mr, plan, stage, audience(stage), st.getStableVersion(), st.getCanaryVersion(), now);
        return runner.run(selected, ctx);
    }

    /** The audience whose traffic the gates weigh: {@code shadow} (mirrored requests) in the shadow stage. */
    private static String audience(Stage stage) {
        return stage == null || stage == Stage.PREFLIGHT ? null : stage.wireName();
    }

    /** The one place that tells the outside: Kubernetes Events, webhooks (the same events) and metrics. */
    private void record(
            ModelRelease mr,
            Plan plan,
            ModelReleaseStatus old,
            Decision decision,
            List<GateVerdict> verdicts,
            Instant now) {
        String ns = mr.getMetadata().getNamespace();
        String name = mr.getMetadata().getName();
        for (RolloutEvent e : decision.events()) {
            events.record(mr, e);
            LOG.infof("%s/%s %s: %s", ns, name, e.reason(), e.message());
            Notification.of(mr, old, decision.status(), e, now).ifPresent(n -> notifier.notify(mr, n));
        }
        if (decision.phaseChange() != null) {
            metrics.transition(
                    ns,
                    name,
                    decision.phaseChange().from(),
                    decision.phaseChange().to());
        }
        // a placeholder of a reading already recorded is no new verdict (said again while the reading is on its way)
        verdicts.stream()
                .filter(v -> old.getGates() == null
                        || old.getGates().stream().noneMatch(g -> v.name().equals(g.getName()) && v.repeats(g)))
                .forEach(v -> metrics.verdict(ns, name, v));
        Integer weight = decision.status().getCanaryWeight();
        if (decision.invalid()) {
            // nothing is routed to the canary of an invalid release, and no deadline runs
            metrics.observe(ns, name, decision.status().getPhase(), 0);
            metrics.deadline(ns, name, null);
            return;
        }
        metrics.observe(ns, name, decision.status().getPhase(), weight == null ? 0 : weight);
        metrics.gates(ns, name, decision.status().getGates());
        metrics.deadline(
                ns,
                name,
                plan == null ? null : Schedule.deadline(plan, decision.status()).orElse(null));
    }

    /**
     * Patches the status the {@link StatusWriter} finished, if it changed, and only then tells the outside and removes
     * an applied action's annotation: a failed status write throws before anything is sent or removed, and the retried
     * reconcile decides (and sends) again, so events, webhooks and actions happen once.
     */
    private UpdateControl<ModelRelease> write(
            ModelRelease mr,
            Context<ModelRelease> context,
            Plan plan,
            ModelReleaseStatus old,
            Decision decision,
            List<GateVerdict> verdicts,
            Instant now) {
        return write(mr, context, plan, old, decision, verdicts, now, List.of(), refused -> {});
    }

    /**
     * As above, with {@code waiting} (the {@value #ROUTE_NOT_ACCEPTED} condition, if a route waits for its Gateway);
     * {@code statusRefused} runs when the status write itself fails (not what follows it), then it throws.
     */
    private UpdateControl<ModelRelease> write(
            ModelRelease mr,
            Context<ModelRelease> context,
            Plan plan,
            ModelReleaseStatus old,
            Decision decision,
            List<GateVerdict> verdicts,
            Instant now,
            List<SpecWarning> waiting,
            Consumer<RuntimeException> statusRefused) {
        Optional<ModelReleaseStatus> next = status.finish(
                old, decision, mr.getMetadata().getGeneration(), now, warnings(mr, context, decision, waiting));
        if (next.isPresent() && heldAnalyses.hold(mr, plan, next.get(), now)) {
            next = Optional.empty(); // an analysis that changed only its times, or awaits its answer: held
        } else if (next.isEmpty()) {
            next = heldAnalyses.due(mr, old, now); // nothing new since a held status, which is due to be written
        }
        if (next.isPresent()) {
            try {
                patchStatus(mr, context, next.get());
            } catch (RuntimeException e) {
                statusRefused.accept(e);
                throw e;
            }
            unstored.stored(mr); // a decision kept unstored is stored now, or superseded
        }
        record(mr, plan, old, decision, verdicts, now);
        ModelReleaseStatus stored = next.orElse(old);
        ManualAction.requestedOn(mr)
                .filter(raw -> ActionRecord.awaitsRemoval(stored, raw))
                .ifPresent(raw -> actions.remove(mr, raw));
        return UpdateControl.noUpdate();
    }

    /**
     * The router's standing warnings, a stable that keeps an older operator's template, a recorded stable configuration
     * (in {@code decision}'s split) or kept template the operator's policy refuses, critical categories the judge never
     * reports, live outputs judged by the word list, and what the routes wait for.
     */
    private List<SpecWarning> warnings(
            ModelRelease mr, Context<ModelRelease> context, Decision decision, List<SpecWarning> waiting) {
        List<SpecWarning> out = new ArrayList<>(routers.forRelease(mr).warnings(mr));
        Deployment stable = deployment(context, Names.deployment(mr, Labels.TRACK_STABLE));
        workloads.olderStableTemplate(stable).ifPresent(out::add);
        workloads
                .refusedStable(
                        decision.split() == null ? null : decision.split().stableServing(), stable)
                .ifPresent(out::add);
        UnjudgedCategories.warning(mr).ifPresent(out::add);
        WordListLiveOutputs.warning(mr).ifPresent(out::add);
        out.addAll(waiting);
        return out;
    }

    /**
     * The {@value #ROUTE_NOT_ACCEPTED} condition for routes a Gateway has not accepted: reason {@code RouteRefused} when
     * a parent answered {@code Accepted=False}, else {@code WaitingForGateway}; its message names each route and parent.
     */
    private static List<SpecWarning> waiting(List<Unaccepted> pending) {
        if (pending.isEmpty()) {
            return List.of();
        }
        boolean refused = pending.stream().anyMatch(Unaccepted::rejected);
        return List.of(new SpecWarning(
                ROUTE_NOT_ACCEPTED,
                refused ? "RouteRefused" : "WaitingForGateway",
                pending.stream().map(Unaccepted::message).collect(Collectors.joining("; "))
                        + "; the canary keeps its pods and its pod template until then"));
    }

    /**
     * A decision stored before the routes are written keeps the wait and the drift the last pass saw (the pass after
     * updates them).
     */
    private static List<SpecWarning> stillWaiting(ModelReleaseStatus old) {
        return old.getConditions() == null
                ? List.of()
                : old.getConditions().stream()
                        .filter(c -> (ROUTE_NOT_ACCEPTED.equals(c.getType()) || ROUTE_NOT_APPLIED.equals(c.getType()))
                                && "True".equals(c.getStatus()))
                        .map(c -> new SpecWarning(c.getType(), c.getReason(), c.getMessage()))
                        .toList();
    }

    private void patchStatus(ModelRelease mr, Context<ModelRelease> context, ModelReleaseStatus st) {
        patchStatus(mr, context, st, null);
    }

    /** As above; with {@code resourceVersion}, the API server refuses it (409) if the release changed since. */
    private void patchStatus(
            ModelRelease mr, Context<ModelRelease> context, ModelReleaseStatus st, String resourceVersion) {
        ModelRelease patch = new ModelRelease();
        patch.setMetadata(new ObjectMetaBuilder()
                .withName(mr.getMetadata().getName())
                .withNamespace(mr.getMetadata().getNamespace())
                .withResourceVersion(resourceVersion)
                .build());
        patch.setStatus(st);
        context.resourceOperations().serverSideApplyPrimaryStatus(patch);
        heldAnalyses.written(mr); // what was held is in this status, or superseded by it
    }

    /**
     * Before anything else, valid spec or not, also for a release being deleted: a Deployment of the release that an
     * older operator built with a writable mount of a hostPath volume gets it read-only ({@link Workloads#lockHostPaths});
     * the paths below may only scale it.
     */
    private void lockHostPaths(ModelRelease mr, Context<ModelRelease> context) {
        for (String track : List.of(Labels.TRACK_STABLE, Labels.TRACK_CANARY)) {
            workloads
                    .lockHostPaths(mr, deployment(context, Names.deployment(mr, track)))
                    .ifPresent(e -> events.record(mr, e));
        }
    }

    private static Map<String, Deployment> deployments(Context<ModelRelease> context) {
        Map<String, Deployment> byName = new HashMap<>();
        context.getSecondaryResources(Deployment.class)
                .forEach(d -> byName.put(d.getMetadata().getName(), d));
        return byName;
    }

    private static Deployment deployment(Context<ModelRelease> context, String name) {
        return context.getSecondaryResources(Deployment.class).stream()
                .filter(d -> name.equals(d.getMetadata().getName()))
                .findFirst()
                .orElse(null);
    }
}
