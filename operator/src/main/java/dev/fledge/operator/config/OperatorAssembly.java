package dev.fledge.operator.config;

import dev.fledge.operator.ModelReleaseReconciler;
import dev.fledge.operator.gates.GateProvider;
import dev.fledge.operator.k8s.ActionAnnotation;
import dev.fledge.operator.k8s.EventRecorder;
import dev.fledge.operator.metrics.OperatorMetrics;
import dev.fledge.operator.rollout.PlanResolver;
import dev.fledge.operator.routing.GatewayApiRouter;
import dev.fledge.operator.routing.ReplicasRouter;
import dev.fledge.operator.routing.Routers;
import dev.fledge.operator.validation.SpecValidator;
import dev.fledge.operator.workload.Applier;
import dev.fledge.operator.workload.DesiredDeployment;
import dev.fledge.operator.workload.DesiredService;
import dev.fledge.operator.workload.ServerDefaults;
import dev.fledge.operator.workload.Workloads;
import io.fabric8.kubernetes.client.KubernetesClient;
import io.micrometer.core.instrument.MeterRegistry;

import java.time.Clock;
import java.time.Duration;

/**
 * Builds the operator's collaborators from a client and settings. Quarkus uses it through {@link OperatorWiring};
 * tests and the end-to-end harness use it to run the very same reconciler with plain JOSDK.
 */
public final class OperatorAssembly {
    private OperatorAssembly() {
    }

    public static Routers routers(KubernetesClient client, Clock clock, ServerDefaults defaults) {
        Applier applier = new Applier(client, clock);
        DesiredService services = new DesiredService(defaults);
        return new Routers(new GatewayApiRouter(client, applier, services, defaults), new ReplicasRouter(applier, services));
    }

    public static Workloads workloads(KubernetesClient client, Clock clock, ServerDefaults defaults) {
        return new Workloads(new Applier(client, clock), new DesiredDeployment(defaults), new DesiredService(defaults));
    }

    public static ModelReleaseReconciler reconciler(KubernetesClient client, Clock clock, Duration defaultInterval,
            ServerDefaults defaults, GateProvider gates, MeterRegistry registry) {
        return new ModelReleaseReconciler(clock, new PlanResolver(defaultInterval), new SpecValidator(),
                routers(client, clock, defaults), workloads(client, clock, defaults), gates, new EventRecorder(client, clock),
                new ActionAnnotation(client), new OperatorMetrics(registry));
    }
}
