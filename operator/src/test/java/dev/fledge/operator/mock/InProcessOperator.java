package dev.fledge.operator.mock;

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
import io.javaoperatorsdk.operator.Operator;
import io.micrometer.core.instrument.simple.SimpleMeterRegistry;

import java.time.Clock;
import java.time.Duration;

/**
 * The operator as production wires it (same collaborators as {@code OperatorWiring}), run in-process by plain JOSDK
 * against a given client, with server-side apply left on.
 */
public final class InProcessOperator implements AutoCloseable {
    public final SimpleMeterRegistry registry = new SimpleMeterRegistry();
    private final Operator operator;

    public InProcessOperator(KubernetesClient client, GateProvider gates) {
        ServerDefaults defaults = new ServerDefaults("fledge/model-server:0.1.0", 8080);
        Applier applier = new Applier(client);
        DesiredService services = new DesiredService(defaults);
        Clock clock = Clock.systemUTC();
        var reconciler = new ModelReleaseReconciler(clock, new PlanResolver(Duration.ofSeconds(1)), new SpecValidator(),
                new Routers(new GatewayApiRouter(client, applier, services, defaults), new ReplicasRouter(client, applier, services)),
                new Workloads(applier, new DesiredDeployment(defaults), services), gates,
                new EventRecorder(client, clock), new ActionAnnotation(client), new OperatorMetrics(registry));
        operator = new Operator(o -> o.withKubernetesClient(client).withCloseClientOnStop(false));
        operator.register(reconciler);
        operator.start();
    }

    @Override
    public void close() {
        operator.stop();
    }
}
