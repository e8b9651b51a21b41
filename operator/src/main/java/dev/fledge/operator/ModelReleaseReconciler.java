package dev.fledge.operator;

import dev.fledge.api.Labels;
import dev.fledge.api.ModelRelease;
import dev.fledge.api.status.ModelReleaseStatus;
import dev.fledge.api.status.Phase;
import dev.fledge.core.rollout.ActionRecord;
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
import dev.fledge.core.rollout.Schedule;
import dev.fledge.core.rollout.ServingIdentity;
import dev.fledge.core.rollout.Stage;
import dev.fledge.core.rollout.StatusWriter;
import dev.fledge.operator.gates.Gate;
import dev.fledge.operator.gates.GateContext;
import dev.fledge.operator.gates.GateProvider;
import dev.fledge.operator.gates.GateRunner;
import dev.fledge.operator.gates.GateWakeups;
import dev.fledge.operator.k8s.ActionAnnotation;
import dev.fledge.operator.k8s.EventRecorder;
import dev.fledge.operator.k8s.LeanItemStore;
import dev.fledge.operator.metrics.OperatorMetrics;
import dev.fledge.operator.notify.Notification;
import dev.fledge.operator.notify.Notifier;
import dev.fledge.operator.routing.Routers;
import dev.fledge.operator.routing.TrafficRouter;
import dev.fledge.operator.validation.SpecValidator;
import dev.fledge.operator.workload.Handover;
import dev.fledge.operator.workload.Names;
import dev.fledge.operator.workload.Ownership;
import dev.fledge.operator.workload.Readiness;
import dev.fledge.operator.workload.Workloads;
import io.fabric8.kubernetes.api.model.ObjectMetaBuilder;
import io.fabric8.kubernetes.api.model.apps.Deployment;
import io.fabric8.kubernetes.client.KubernetesClientException;
import io.javaoperatorsdk.operator.api.config.informer.Informer;
import io.javaoperatorsdk.operator.api.config.informer.InformerEventSourceConfiguration;
import io.javaoperatorsdk.operator.api.reconciler.Context;
import io.javaoperatorsdk.operator.api.reconciler.ControllerConfiguration;
import io.javaoperatorsdk.operator.api.reconciler.EventSourceContext;
import io.javaoperatorsdk.operator.api.reconciler.Reconciler;
import io.javaoperatorsdk.operator.api.reconciler.UpdateControl;
import io.javaoperatorsdk.operator.processing.event.source.EventSource;
import io.javaoperatorsdk.operator.processing.event.source.informer.InformerEventSource;
import io.javaoperatorsdk.operator.processing.event.source.informer.Mappers;
import io.micrometer.core.instrument.Timer;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.time.temporal.ChronoUnit;
import java.util.ArrayList;
import java.util.List;
import java.util.Objects;
import java.util.Optional;
import java.util.Set;
import java.util.stream.Collectors;
import org.jboss.logging.Logger;

/**
 * Thin reconciler: observe, validate, decide (the pure {@link RolloutEngine}), act (workloads and route), patch
 * status. Generation-aware filtering is off so that the {@code fledge.dev/action} annotation, which does not bump
 * the generation, is seen. Delete events reach the reconciler too ({@code triggerReconcilerOnAllEvents}, without
 * a finalizer), so that a deleted release's metrics are dropped; its children go with it by owner reference.
 */
@ControllerConfiguration(
        name = ModelReleaseReconciler.NAME,
        generationAwareEventProcessing = false,
        triggerReconcilerOnAllEvents = true,
        informer = @Informer(itemStore = LeanItemStore.class))
public class ModelReleaseReconciler implements Reconciler<ModelRelease> {
    public static final String NAME = "modelrelease";
    private static final Logger LOG = Logger.getLogger(ModelReleaseReconciler.class);
    private static final Duration AT_ONCE = Duration.ofMillis(10);
    /**
     * How soon a release whose route did not come out as wanted (or whose stale routes could not all be removed) is
     * reconciled again: a Promoted release has no requeue of its own.
     */
    public static final Duration DRIFT_RETRY = Duration.ofSeconds(15);

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
    private final GateWakeups wakeups;
    private final RolloutEngine engine = new RolloutEngine();
    private final StatusWriter status = new StatusWriter();
    private final GateRunner runner = new GateRunner();
    private final Handover handover;

    public ModelReleaseReconciler(
            Clock clock,
            PlanResolver plans,
            SpecValidator validator,
            Routers routers,
            Workloads workloads,
            GateProvider gates,
            EventRecorder events,
            ActionAnnotation actions,
            OperatorMetrics metrics,
            Notifier notifier) {
        this.clock = clock;
        this.plans = plans;
        this.validator = validator;
        this.routers = routers;
        this.workloads = workloads;
        this.handover = new Handover(workloads, clock);
        this.gates = gates;
        this.events = events;
        this.actions = actions;
        this.metrics = metrics;
        this.notifier = notifier;
        this.wakeups = gates.wakeups();
    }

    @Override
    public List<EventSource<?, ModelRelease>> prepareEventSources(EventSourceContext<ModelRelease> context) {
        var deployments = InformerEventSourceConfiguration.from(Deployment.class, ModelRelease.class)
                .withLabelSelector(Labels.RELEASE)
                .withSecondaryToPrimaryMapper(Mappers.fromOwnerReferences(ModelRelease.class))
                .withItemStore(new LeanItemStore<>())
                .build();
        List<EventSource<?, ModelRelease>> sources = new ArrayList<>();
        sources.add(new InformerEventSource<>(deployments, context));
        sources.addAll(wakeups.eventSources());
        return sources;
    }

    @Override
    public UpdateControl<ModelRelease> reconcile(ModelRelease mr, Context<ModelRelease> context) {
        if (context.isPrimaryResourceDeleted()) {
            // gauges of a deleted release would stay exported, and FledgeRolloutStuck could fire for it
            metrics.forget(mr.getMetadata().getNamespace(), mr.getMetadata().getName());
            // its suite run (queued, running or done, with the whole suite) would stay, and a running one its slot
            gates.forget(mr.getMetadata().getNamespace(), mr.getMetadata().getName());
            return UpdateControl.noUpdate();
        }
        if (mr.isMarkedForDeletion()) {
            return UpdateControl.noUpdate(); // being deleted (another finalizer holds it): leave it alone
        }
        Instant now = clock.instant().truncatedTo(ChronoUnit.MILLIS);
        ModelReleaseStatus old = mr.getStatus() == null ? new ModelReleaseStatus() : mr.getStatus();
        Timer.Sample started = metrics.startTimer();
        List<String> errors = validator.validate(mr);
        if (errors.isEmpty() && specChangedOrInvalid(mr, old)) {
            errors = routers.forRelease(mr).validate(mr);
        }
        if (!errors.isEmpty()) {
            // an invalid spec need not resolve into a plan: the engine decides Invalid from the errors alone
            return write(
                    mr, context, null, old, engine.decide(null, old, Observation.invalid(errors), now), List.of(), now);
        }
        TrafficRouter router = routers.forRelease(mr);
        Plan plan = plans.resolve(mr.getSpec()).withServing(workloads.serving(mr));
        Deployment stable = deployment(context, Names.deployment(mr, Labels.TRACK_STABLE));
        Deployment canary = deployment(context, Names.deployment(mr, Labels.TRACK_CANARY));

        Observation obs = observe(mr, plan, old, stable, canary);
        // a suite run that ended (off this thread) is read at once rather than at the next interval
        boolean woken = wakeups.take(mr) && Schedule.analysisDue(plan, old, now.plus(plan.interval()));
        if (obs.canaryReady() && (woken || Schedule.analysisDue(plan, old, now))) {
            Timer.Sample gatesStarted = metrics.startTimer();
            obs = obs.withVerdicts(evaluate(mr, plan, old, now));
            metrics.reconcilePart("gates", gatesStarted);
        }
        Decision decision = engine.decide(plan, old, obs, now);
        Timer.Sample applyStarted = metrics.startTimer();
        Handover.Result acted;
        try {
            // traffic first, pods after (Handover): a canary whose configuration changes is replaced only once no
            // route sends it requests, and one the split no longer runs is scaled down only after the delay
            acted = handover.act(mr, router, plan, old, decision, stable, canary);
        } catch (KubernetesClientException e) {
            if (e.getCode() == 422 || e.getCode() == 400) {
                // an object the release does not control is not a spec error of the generated object: say so plainly
                List<String> rejected = List.of(
                        e instanceof Ownership.NotOwned
                                ? e.getMessage()
                                : "spec.server: the API server rejected a generated object: " + e.getMessage());
                return write(
                        mr,
                        context,
                        plan,
                        old,
                        engine.decide(plan, old, Observation.invalid(rejected), now),
                        List.of(),
                        now);
            }
            throw e;
        }
        metrics.reconcilePart("apply", applyStarted);
        Optional<String> drift = acted.drift();
        Instant scaleDownAt = acted.scaleDownAt();
        drift.ifPresent(diff -> events.record(
                mr,
                new RolloutEvent(
                        EventReason.RouteDrift, "route does not match the desired split after apply: " + diff)));
        decision.status().setCanaryScaleDownAt(scaleDownAt == null ? null : scaleDownAt.toString());
        decision.status()
                .setCanaryPublicHoldUntil(
                        acted.holdUntil() == null ? null : acted.holdUntil().toString());
        UpdateControl<ModelRelease> control = write(mr, context, plan, old, decision, obs.verdicts(), now);
        Duration requeue = decision.requeueAfter();
        for (Instant wake : new Instant[] {scaleDownAt, acted.holdUntil()}) {
            if (wake != null && wake.isAfter(now)) {
                Duration until = Duration.between(now, wake);
                requeue = requeue == null || until.compareTo(requeue) < 0 ? until : requeue;
            }
        }
        if (requeue != null) {
            // the engine counted the delay from this reconcile's start; JOSDK counts it from its end
            Duration left = requeue.minus(Duration.between(now, clock.instant()));
            requeue = left.compareTo(AT_ONCE) < 0 ? AT_ONCE : left;
        }
        if (drift.isPresent() && (requeue == null || requeue.compareTo(DRIFT_RETRY) > 0)) {
            requeue = DRIFT_RETRY; // apply (and sweep) again soon, also for a release with nothing else to wait for
        }
        if (requeue != null) {
            control.rescheduleAfter(requeue);
        }
        metrics.reconcilePart("total", started);
        return control;
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
     * Readiness of both tracks, and the manual action if there is a new one. An annotation that {@code status.action}
     * records as applied is not applied again: {@link #write} removes it once the status is stored.
     */
    private Observation observe(
            ModelRelease mr, Plan plan, ModelReleaseStatus old, Deployment stable, Deployment canary) {
        Observation obs = Observation.of(
                Readiness.ready(canary, ServingIdentity.of(plan)),
                Readiness.ready(stable, ServingIdentity.stableWanted(old)));
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
        verdicts.forEach(v -> metrics.verdict(ns, name, v));
        Integer weight = decision.status().getCanaryWeight();
        if (decision.invalid()) {
            // nothing is routed to the canary of an invalid release, and no deadline runs
            metrics.observe(ns, name, decision.status().getPhase(), 0);
            metrics.deadline(ns, name, null);
            return;
        }
        metrics.observe(ns, name, decision.status().getPhase(), weight == null ? 0 : weight);
        metrics.gates(ns, name, decision.status().getGates());
        metrics.deadline(ns, name, Schedule.deadline(plan, decision.status()).orElse(null));
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
        Optional<ModelReleaseStatus> next = status.finish(
                old,
                decision,
                mr.getMetadata().getGeneration(),
                now,
                routers.forRelease(mr).warnings(mr));
        if (next.isPresent()) {
            ModelRelease patch = new ModelRelease();
            patch.setMetadata(new ObjectMetaBuilder()
                    .withName(mr.getMetadata().getName())
                    .withNamespace(mr.getMetadata().getNamespace())
                    .build());
            patch.setStatus(next.get());
            context.resourceOperations().serverSideApplyPrimaryStatus(patch);
        }
        record(mr, plan, old, decision, verdicts, now);
        ModelReleaseStatus stored = next.orElse(old);
        ManualAction.requestedOn(mr)
                .filter(raw -> ActionRecord.awaitsRemoval(stored, raw))
                .ifPresent(raw -> actions.remove(mr, raw));
        return UpdateControl.noUpdate();
    }

    private static Deployment deployment(Context<ModelRelease> context, String name) {
        return context.getSecondaryResources(Deployment.class).stream()
                .filter(d -> name.equals(d.getMetadata().getName()))
                .findFirst()
                .orElse(null);
    }
}
