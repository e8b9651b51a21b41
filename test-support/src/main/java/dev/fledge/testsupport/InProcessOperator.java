package dev.fledge.testsupport;

import io.fabric8.kubernetes.api.model.HasMetadata;
import io.fabric8.kubernetes.client.KubernetesClient;
import io.javaoperatorsdk.operator.Operator;
import io.javaoperatorsdk.operator.api.config.LeaderElectionConfiguration;
import io.javaoperatorsdk.operator.api.config.LeaderElectionConfigurationBuilder;
import io.javaoperatorsdk.operator.api.reconciler.Reconciler;
import java.time.Duration;
import java.util.Set;
import java.util.UUID;

/**
 * A reconciler run in-process by plain JOSDK with its defaults (server-side apply of status and of owned objects
 * stays on), against a mock or a real API server. The caller builds the reconciler (the operator's tests and e2e
 * use the production one from {@code OperatorAssembly}), so this module does not depend on the operator. It
 * runs no Gateway: a test of the gatewayAPI router starts a {@link GatewaySimulator} with an admin client beside it
 * (the operator's client may lack the rights a Gateway controller has).
 */
public final class InProcessOperator implements AutoCloseable {
    private static final Duration STOP_WAIT = Duration.ofSeconds(30);
    /** The reconcile threads of the operator as shipped (its application.properties). */
    private static final int RECONCILE_THREADS = 12;

    private final Operator operator;

    private <P extends HasMetadata> InProcessOperator(
            KubernetesClient client,
            Reconciler<P> reconciler,
            Set<String> namespaces,
            LeaderElectionConfiguration leader) {
        this(client, reconciler, namespaces, leader, null);
    }

    private <P extends HasMetadata> InProcessOperator(
            KubernetesClient client,
            Reconciler<P> reconciler,
            Set<String> namespaces,
            LeaderElectionConfiguration leader,
            String labelSelector) {
        operator = new Operator(o -> {
            // close() waits for a reconcile in flight (JOSDK's default is not to wait): a test that stops the operator
            // and then edits the release must not see that reconcile's late status write undo its edit
            o.withKubernetesClient(client).withCloseClientOnStop(false).withReconciliationTerminationTimeout(STOP_WAIT);
            // as the operator's application.properties (quarkus.operator-sdk.concurrent-reconciliation-threads)
            o.withConcurrentReconciliationThreads(RECONCILE_THREADS);
            if (leader != null) {
                o.withLeaderElectionConfiguration(leader);
            }
        });
        operator.register(reconciler, c -> {
            if (!namespaces.isEmpty()) {
                c.settingNamespaces(namespaces);
            }
            if (labelSelector != null) {
                c.withLabelSelector(labelSelector);
            }
        });
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

    /**
     * One operator shard, as the chart's Deployment of that shard runs it: the releases its label selector takes, in
     * these namespaces, with leader election on the shard's own Lease.
     */
    public static <P extends HasMetadata> InProcessOperator shard(
            KubernetesClient client,
            Reconciler<P> reconciler,
            String labelSelector,
            String leaseName,
            String namespace) {
        return new InProcessOperator(
                client,
                reconciler,
                Set.of(namespace),
                LeaderElectionConfigurationBuilder.aLeaderElectionConfiguration(leaseName)
                        .withLeaseNamespace(namespace)
                        // one JVM: each replica needs its own identity, as each pod has its own name
                        .withIdentity(leaseName + "-" + UUID.randomUUID())
                        .buildForTest(false),
                labelSelector);
    }

    @Override
    public void close() {
        operator.stop();
    }
}
