package dev.fledge.operator.mock;

import dev.fledge.operator.config.ClientRetries;
import dev.fledge.operator.config.OperatorAssembly;
import dev.fledge.operator.gates.GateProvider;
import dev.fledge.operator.metrics.OperatorMetrics;
import dev.fledge.operator.notify.Notifier;
import dev.fledge.operator.validation.RoutePolicy;
import dev.fledge.operator.workload.ServerDefaults;
import dev.fledge.testsupport.GatewaySimulator;
import dev.fledge.testsupport.InProcessOperator;
import io.fabric8.kubernetes.client.KubernetesClient;
import io.micrometer.core.instrument.simple.SimpleMeterRegistry;
import java.time.Clock;
import java.time.Duration;
import java.util.Set;
import java.util.function.Function;

/**
 * The production reconciler ({@link OperatorAssembly}) with these gates and metrics in a registry the test reads, run
 * by test-support's {@link InProcessOperator} (plain JOSDK, server-side apply left on), with a client of its own that
 * retries as the deployed operator's does ({@link ClientRetries}).
 */
public final class OperatorUnderTest implements AutoCloseable {
    public final SimpleMeterRegistry registry = new SimpleMeterRegistry();
    public final OperatorMetrics metrics = new OperatorMetrics(registry);
    private final InProcessOperator operator;
    private final GatewaySimulator gateway;
    private final KubernetesClient own;

    public OperatorUnderTest(KubernetesClient client, GateProvider gates) {
        this(client, gates, m -> Notifier.NONE);
    }

    /** With the notifier the function builds on this operator's metrics. */
    public OperatorUnderTest(
            KubernetesClient client, GateProvider gates, Function<OperatorMetrics, Notifier> notifier) {
        this(client, gates, notifier, Clock.systemUTC(), RoutePolicy.any());
    }

    /** With this clock (a test's, which it moves on). */
    public OperatorUnderTest(KubernetesClient client, GateProvider gates, Clock clock) {
        this(client, gates, m -> Notifier.NONE, clock, RoutePolicy.any());
    }

    /** With the operator's route limits ({@code fledge.routing.allowed-parent-refs}, {@code allowed-hostnames}). */
    public OperatorUnderTest(KubernetesClient client, GateProvider gates, RoutePolicy routeLimits) {
        this(client, gates, m -> Notifier.NONE, Clock.systemUTC(), routeLimits);
    }

    private OperatorUnderTest(
            KubernetesClient client,
            GateProvider gates,
            Function<OperatorMetrics, Notifier> notifier,
            Clock clock,
            RoutePolicy routeLimits) {
        own = ClientRetries.derive(client);
        var reconciler = OperatorAssembly.reconciler(
                own,
                clock,
                Duration.ofSeconds(1),
                new ServerDefaults("fledge/model-server:0.1.0", 8080),
                gates,
                metrics,
                notifier.apply(metrics),
                routeLimits);
        // the Gateway controller beside the operator, with a client of its own (the mock API server checks no RBAC)
        gateway = GatewaySimulator.start(client, Set.of());
        operator = InProcessOperator.start(own, reconciler);
    }

    /** The simulated Gateway controller that accepts HTTPRoutes. */
    public GatewaySimulator gateway() {
        return gateway;
    }

    @Override
    public void close() {
        try {
            operator.close();
            gateway.close();
        } finally {
            own.close();
        }
    }
}
