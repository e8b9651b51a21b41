package dev.fledge.testsupport;

import io.fabric8.kubernetes.api.model.HasMetadata;
import io.fabric8.kubernetes.client.KubernetesClient;
import io.javaoperatorsdk.operator.Operator;
import io.javaoperatorsdk.operator.api.config.LeaderElectionConfiguration;
import io.javaoperatorsdk.operator.api.config.LeaderElectionConfigurationBuilder;
import io.javaoperatorsdk.operator.api.reconciler.Reconciler;
import java.time.Duration;
import java.util.Set;

/**
 * A reconciler run in-process by plain JOSDK with its defaults (server-side apply of status and of owned objects
 * stays on), against a mock or a real API server. The caller builds the reconciler (the operator's tests and e2e
 * use the production one from {@code OperatorAssembly}), so this module does not depend on the operator. It
 * runs no Gateway: a test of the gatewayAPI router starts a {@link GatewaySimulator} with an admin client beside it
 * (the operator's client may lack the rights a Gateway controller has).
 */
public final class InProcessOperator implements AutoCloseable {
    private static final Duration STOP_WAIT = Duration.ofSeconds(30);
    private final Operator operator;

    private <P extends HasMetadata> InProcessOperator(
            KubernetesClient client,
            Reconciler<P> reconciler,
            Set<String> namespaces,
            LeaderElectionConfiguration leader) {
        operator = new Operator(o -> {
            // close() waits for a reconcile in flight (JOSDK's default is not to wait): a test that stops the operator
            // and then edits the release must not see that reconcile's late status write undo its edit
            o.withKubernetesClient(client).withCloseClientOnStop(false).withReconciliationTerminationTimeout(STOP_WAIT);
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

    /** Watches every namespace. */
    public static <P extends HasMetadata> InProcessOperator start(KubernetesClient client, Reconciler<P> reconciler) {
        return new InProcessOperator(client, reconciler, Set.of(), null);
    }

    /** Watches only these namespaces (tests that share the API server stay apart). */
    public static <P extends HasMetadata> InProcessOperator watching(
            KubernetesClient client, Reconciler<P> reconciler, String... namespaces) {
        return new InProcessOperator(client, reconciler, Set.of(namespaces), null);
    }

    /** Watches every namespace and takes part in leader election on a Lease, as the chart's Deployment runs it. */
    public static <P extends HasMetadata> InProcessOperator clusterWideWithLeaderElection(
            KubernetesClient client, Reconciler<P> reconciler, String leaseName, String leaseNamespace) {
        return new InProcessOperator(
                client,
                reconciler,
                Set.of(),
                LeaderElectionConfigurationBuilder.aLeaderElectionConfiguration(leaseName)
                        .withLeaseNamespace(leaseNamespace)
                        // JOSDK ends the process (System.exit) when leadership stops, stop() included: not in a test
                        // JVM
                        .buildForTest(false));
    }

    @Override
    public void close() {
        operator.stop();
    }
}
