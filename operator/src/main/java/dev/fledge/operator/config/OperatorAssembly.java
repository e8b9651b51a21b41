package dev.fledge.operator.config;

import com.fasterxml.jackson.databind.ObjectMapper;
import dev.fledge.core.rollout.EventReason;
import dev.fledge.core.rollout.PlanResolver;
import dev.fledge.core.rollout.RolloutEvent;
import dev.fledge.operator.ModelReleaseReconciler;
import dev.fledge.operator.gates.GateProvider;
import dev.fledge.operator.http.OutboundPolicy;
import dev.fledge.operator.k8s.ActionAnnotation;
import dev.fledge.operator.k8s.EventRecorder;
import dev.fledge.operator.k8s.OwnedObjects;
import dev.fledge.operator.k8s.UnstoredDecisions;
import dev.fledge.operator.metrics.OperatorMetrics;
import dev.fledge.operator.notify.JdkWebhookClient;
import dev.fledge.operator.notify.NotificationSettings;
import dev.fledge.operator.notify.Notifier;
import dev.fledge.operator.notify.SecretWebhookUrls;
import dev.fledge.operator.notify.WebhookDispatcher;
import dev.fledge.operator.routing.GatewayApiRouter;
import dev.fledge.operator.routing.ReplicasRouter;
import dev.fledge.operator.routing.Routers;
import dev.fledge.operator.routing.RoutesOutsideLimits;
import dev.fledge.operator.routing.StableRetreat;
import dev.fledge.operator.routing.StaleRoutes;
import dev.fledge.operator.validation.PodTemplatePolicy;
import dev.fledge.operator.validation.RoutePolicy;
import dev.fledge.operator.validation.SpecValidator;
import dev.fledge.operator.workload.Applier;
import dev.fledge.operator.workload.Autoscalers;
import dev.fledge.operator.workload.CanaryPods;
import dev.fledge.operator.workload.DesiredDeployment;
import dev.fledge.operator.workload.DesiredService;
import dev.fledge.operator.workload.FeedbackKey;
import dev.fledge.operator.workload.ModelServerLimits;
import dev.fledge.operator.workload.PodHardening;
import dev.fledge.operator.workload.PublicTarget;
import dev.fledge.operator.workload.ServerDefaults;
import dev.fledge.operator.workload.ServingConfig;
import dev.fledge.operator.workload.ServingPolicy;
import dev.fledge.operator.workload.ShardMoves;
import dev.fledge.operator.workload.Workloads;
import io.fabric8.kubernetes.client.KubernetesClient;
import io.micrometer.core.instrument.MeterRegistry;
import java.time.Clock;
import java.time.Duration;
import java.util.concurrent.Executors;
import java.util.concurrent.ScheduledExecutorService;

/**
 * Builds the operator's collaborators from a client and settings. Quarkus uses it through {@link OperatorWiring};
 * tests and the end-to-end harness use it to run the very same reconciler with plain JOSDK.
 */
public final class OperatorAssembly {
    private OperatorAssembly() {}

    public static Routers routers(KubernetesClient client, Clock clock, ServerDefaults defaults) {
        return routers(client, clock, defaults, RoutePolicy.any());
    }

    /** With the operator's route limits, which an invalid release's own routes are held to as well. */
    public static Routers routers(KubernetesClient client, Clock clock, ServerDefaults defaults, RoutePolicy limits) {
        return routers(client, clock, defaults, limits, new OwnedObjects());
    }

    /** {@code owned}: the informers of Services and routes, shared with the workloads ({@link #workloads}). */
    public static Routers routers(
            KubernetesClient client, Clock clock, ServerDefaults defaults, RoutePolicy limits, OwnedObjects owned) {
        return routers(client, clock, defaults, limits, owned, false);
    }

    /**
     * {@code traefikMirror}: the platform's {@value GatewayApiRouter#TRAEFIK_MIRROR_SETTING}, whether the shadow stage
     * may mirror through a TraefikService on Traefik.
     */
    public static Routers routers(
            KubernetesClient client,
            Clock clock,
            ServerDefaults defaults,
            RoutePolicy limits,
            OwnedObjects owned,
            boolean traefikMirror) {
        Applier applier = new Applier(client, clock, owned);
        DesiredService services = new DesiredService(defaults);
        StaleRoutes stale = new StaleRoutes(client, applier, clock);
        return new Routers(
                new GatewayApiRouter(client, applier, services, defaults, stale, clock, traefikMirror),
                new ReplicasRouter(applier, services, stale, new PublicTarget(client)),
                new StableRetreat(client, applier),
                new RoutesOutsideLimits(client, applier, limits),
                owned);
    }

    public static Workloads workloads(KubernetesClient client, Clock clock, ServerDefaults defaults) {
        return workloads(client, clock, defaults, PodHardening.standard());
    }

    public static Workloads workloads(
            KubernetesClient client, Clock clock, ServerDefaults defaults, PodHardening hardening) {
        return workloads(client, clock, defaults, hardening, ModelServerLimits.standard());
    }

    public static Workloads workloads(
            KubernetesClient client,
            Clock clock,
            ServerDefaults defaults,
            PodHardening hardening,
            ModelServerLimits limits) {
        return workloads(client, clock, defaults, hardening, limits, ServingPolicy.ANY);
    }

    /** With {@code policy} held against the recorded stable configuration before it is applied (RecordedServingPolicy). */
    public static Workloads workloads(
            KubernetesClient client,
            Clock clock,
            ServerDefaults defaults,
            PodHardening hardening,
            ModelServerLimits limits,
            ServingPolicy policy) {
        return workloads(client, clock, defaults, hardening, limits, policy, new OwnedObjects());
    }

    /** {@code owned}: the informers of Services and routes, shared with the routers ({@link #routers}). */
    public static Workloads workloads(
            KubernetesClient client,
            Clock clock,
            ServerDefaults defaults,
            PodHardening hardening,
            ModelServerLimits limits,
            ServingPolicy policy,
            OwnedObjects owned) {
        Applier applier = new Applier(client, clock, owned);
        return new Workloads(
                applier,
                new DesiredDeployment(defaults, hardening, limits),
                new DesiredService(defaults),
                new ServingConfig(defaults),
                new FeedbackKey(client, clock),
                policy,
                new CanaryPods(client, clock),
                new Autoscalers(client, applier));
    }

    /** The reconciler without notifications. */
    public static ModelReleaseReconciler reconciler(
            KubernetesClient client,
            Clock clock,
            Duration defaultInterval,
            ServerDefaults defaults,
            GateProvider gates,
            MeterRegistry registry) {
        return reconciler(
                client, clock, defaultInterval, defaults, gates, new OperatorMetrics(registry), Notifier.NONE);
    }

    public static ModelReleaseReconciler reconciler(
            KubernetesClient client,
            Clock clock,
            Duration defaultInterval,
            ServerDefaults defaults,
            GateProvider gates,
            OperatorMetrics metrics,
            Notifier notifier) {
        return reconciler(client, clock, defaultInterval, defaults, gates, metrics, notifier, RoutePolicy.any());
    }

    /** With the operator's route limits ({@code fledge.routing.*}); any image, no interval floor. */
    public static ModelReleaseReconciler reconciler(
            KubernetesClient client,
            Clock clock,
            Duration defaultInterval,
            ServerDefaults defaults,
            GateProvider gates,
            OperatorMetrics metrics,
            Notifier notifier,
            RoutePolicy routeLimits) {
        return reconciler(client, clock, defaultInterval, defaults, gates, metrics, notifier, routeLimits, Shard.all());
    }

    /** One shard's reconciler ({@link Shard}): its Deployment informer selects the shard's releases' Deployments. */
    public static ModelReleaseReconciler reconciler(
            KubernetesClient client,
            Clock clock,
            Duration defaultInterval,
            ServerDefaults defaults,
            GateProvider gates,
            OperatorMetrics metrics,
            Notifier notifier,
            RoutePolicy routeLimits,
            Shard shard) {
        OwnedObjects owned = new OwnedObjects();
        return new ModelReleaseReconciler(
                clock,
                new PlanResolver(defaultInterval),
                new SpecValidator(PodTemplatePolicy.anyImage(), routeLimits, Duration.ZERO),
                routers(client, clock, defaults, routeLimits, owned),
                workloads(
                        client,
                        clock,
                        defaults,
                        PodHardening.standard(),
                        ModelServerLimits.standard(),
                        ServingPolicy.ANY,
                        owned),
                gates,
                new EventRecorder(client, clock),
                new ActionAnnotation(client),
                new UnstoredDecisions(client),
                metrics,
                notifier,
                new ShardMoves(client, shard));
    }

    /** Webhook delivery on one daemon thread of its own; close it to stop. */
    public static WebhookDispatcher webhooks(
            KubernetesClient client, NotificationSettings settings, OperatorMetrics metrics) {
        return webhooks(client, settings, metrics, OutboundPolicy.permissive());
    }

    public static WebhookDispatcher webhooks(
            KubernetesClient client, NotificationSettings settings, OperatorMetrics metrics, OutboundPolicy outbound) {
        return webhooks(client, settings, metrics, outbound, new EventRecorder(client, Clock.systemUTC()));
    }

    /** As above, telling of a webhook not sent through {@code events}. */
    public static WebhookDispatcher webhooks(
            KubernetesClient client,
            NotificationSettings settings,
            OperatorMetrics metrics,
            OutboundPolicy outbound,
            EventRecorder events) {
        ScheduledExecutorService scheduler = Executors.newSingleThreadScheduledExecutor(r -> {
            Thread t = new Thread(r, "fledge-notifications");
            t.setDaemon(true);
            return t;
        });
        return new WebhookDispatcher(
                settings,
                new JdkWebhookClient(settings.timeout()),
                new SecretWebhookUrls(client),
                scheduler,
                metrics,
                new ObjectMapper(),
                outbound,
                (release, webhook, why) -> events.record(
                        release,
                        new RolloutEvent(
                                EventReason.NotificationNotSent,
                                "webhook " + webhook + ": notification not sent, it must be signed and cannot be: "
                                        + why)));
    }
}
