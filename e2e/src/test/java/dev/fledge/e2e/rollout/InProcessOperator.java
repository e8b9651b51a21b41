package dev.fledge.e2e.rollout;

import dev.fledge.operator.config.OperatorAssembly;
import dev.fledge.operator.gates.ConfiguredGates;
import dev.fledge.operator.workload.ServerDefaults;
import io.fabric8.kubernetes.client.KubernetesClient;
import io.javaoperatorsdk.operator.Operator;
import io.javaoperatorsdk.operator.api.config.LeaderElectionConfiguration;
import io.javaoperatorsdk.operator.api.config.LeaderElectionConfigurationBuilder;
import io.micrometer.core.instrument.simple.SimpleMeterRegistry;
import java.time.Clock;
import java.time.Duration;
import java.util.Map;
import java.util.Set;

/**
 * The production reconciler ({@link OperatorAssembly}) run in-process by plain JOSDK with its
 * defaults: server-side apply of status and of every owned object stays on. No gates are
 * configured, so stages advance on time.
 */
public final class InProcessOperator implements AutoCloseable {

  public static final ServerDefaults SERVER = new ServerDefaults("fledge/model-server:0.1.0", 8080);

  private final Operator operator;

  private InProcessOperator(
      KubernetesClient client, Set<String> namespaces, LeaderElectionConfiguration leader) {
    TestLogging.warningsToStderr();
    var reconciler =
        OperatorAssembly.reconciler(
            client,
            Clock.systemUTC(),
            Duration.ofSeconds(1),
            SERVER,
            new ConfiguredGates(Map.of()),
            new SimpleMeterRegistry());
    operator =
        new Operator(
            o -> {
              o.withKubernetesClient(client).withCloseClientOnStop(false);
              if (leader != null) {
                o.withLeaderElectionConfiguration(leader);
              }
            });
    if (namespaces.isEmpty()) {
      operator.register(reconciler);
    } else {
      operator.register(reconciler, c -> c.settingNamespaces(namespaces));
    }
    operator.start();
  }

  /** Watches only these namespaces (tests that share the API server stay apart). */
  public static InProcessOperator watching(KubernetesClient client, String... namespaces) {
    return new InProcessOperator(client, Set.of(namespaces), null);
  }

  /**
   * Watches every namespace and takes part in leader election on a Lease, as the chart's
   * Deployment runs it.
   */
  public static InProcessOperator clusterWideWithLeaderElection(
      KubernetesClient client, String leaseName, String leaseNamespace) {
    return new InProcessOperator(
        client,
        Set.of(),
        LeaderElectionConfigurationBuilder.aLeaderElectionConfiguration(leaseName)
            .withLeaseNamespace(leaseNamespace)
            // JOSDK ends the process (System.exit) when leadership stops, stop() included: not
            // in a test JVM
            .buildForTest(false));
  }

  @Override
  public void close() {
    operator.stop();
  }
}
