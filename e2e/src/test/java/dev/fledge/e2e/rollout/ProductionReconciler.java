package dev.fledge.e2e.rollout;

import dev.fledge.operator.ModelReleaseReconciler;
import dev.fledge.operator.config.OperatorAssembly;
import dev.fledge.operator.config.Shard;
import dev.fledge.operator.gates.ConfiguredGates;
import dev.fledge.operator.metrics.OperatorMetrics;
import dev.fledge.operator.notify.Notifier;
import dev.fledge.operator.validation.RoutePolicy;
import dev.fledge.operator.workload.ServerDefaults;
import io.fabric8.kubernetes.client.KubernetesClient;
import io.micrometer.core.instrument.MeterRegistry;
import io.micrometer.core.instrument.simple.SimpleMeterRegistry;
import java.time.Clock;
import java.time.Duration;
import java.util.Map;

/**
 * The production reconciler ({@link OperatorAssembly}) for test-support's InProcessOperator: no
 * gates are configured, so stages advance on time.
 */
public final class ProductionReconciler {

    public static final ServerDefaults SERVER = new ServerDefaults("fledge/model-server:0.1.0", 8080);

    private ProductionReconciler() {}

    public static ModelReleaseReconciler withoutGates(KubernetesClient client) {
        TestLogging.warningsToStderr();
        return OperatorAssembly.reconciler(
                client,
                Clock.systemUTC(),
                Duration.ofSeconds(1),
                SERVER,
                new ConfiguredGates(Map.of()),
                new SimpleMeterRegistry());
    }

    /** One shard's production reconciler; its metrics (what it handled) go to {@code registry}. */
    public static ModelReleaseReconciler shard(KubernetesClient client, Shard shard, MeterRegistry registry) {
        return shard(client, shard, registry, Clock.systemUTC());
    }

    /** As above, with this clock. */
    public static ModelReleaseReconciler shard(
            KubernetesClient client, Shard shard, MeterRegistry registry, Clock clock) {
        TestLogging.warningsToStderr();
        return OperatorAssembly.reconciler(
                client,
                clock,
                Duration.ofSeconds(1),
                SERVER,
                new ConfiguredGates(Map.of()),
                new OperatorMetrics(registry),
                Notifier.NONE,
                RoutePolicy.any(),
                shard);
    }
}
