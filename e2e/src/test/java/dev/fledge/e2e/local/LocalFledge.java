package dev.fledge.e2e.local;

import dev.fledge.api.ModelRelease;
import dev.fledge.api.spec.ModelReleaseSpec;
import dev.fledge.api.status.ModelReleaseStatus;
import dev.fledge.e2e.apiserver.ClusterResources;
import dev.fledge.e2e.apiserver.RealApiServer;
import dev.fledge.e2e.apiserver.RepoFiles;
import dev.fledge.operator.config.ClientRetries;
import dev.fledge.operator.config.OperatorAssembly;
import dev.fledge.operator.gates.GateProvider;
import dev.fledge.operator.workload.ServerDefaults;
import dev.fledge.testsupport.GatewaySimulator;
import dev.fledge.testsupport.UserEdits;
import io.fabric8.kubernetes.client.KubernetesClient;
import io.javaoperatorsdk.operator.Operator;
import io.micrometer.core.instrument.simple.SimpleMeterRegistry;
import java.nio.file.Path;
import java.time.Clock;
import java.time.Duration;
import java.util.List;
import java.util.Set;
import java.util.function.Function;
import java.util.function.Predicate;
import org.awaitility.Awaitility;

/**
 * Test harness, not product: Fledge on one machine. A real kube-apiserver (kube-api-test), the operator in-process
 * exactly as production assembles it, real model-server processes run by {@link LocalKubelet}, a real Prometheus,
 * and users following the routes ({@link LoadGenerator}).
 */
final class LocalFledge implements AutoCloseable {
    final KubernetesClient client;
    final String namespace;
    final Path repo = RepoFiles.repo();
    final Path work;
    final LocalPrometheus prometheus;
    final LocalKubelet kubelet;
    private final Function<LocalFledge, GateProvider> gates;
    private Operator operator;
    private KubernetesClient operatorClient;
    /** Plays the Gateway controller: accepts the operator's HTTPRoutes, as a real Gateway does once it programmed them. */
    final GatewaySimulator gateway;

    LocalFledge(String namespace, Function<LocalFledge, GateProvider> gates) {
        this.namespace = namespace;
        this.gates = gates;
        this.work = repo.resolve("e2e/target/local/" + namespace);
        this.client = RealApiServer.shared().client();
        ClusterResources resources = new ClusterResources(client);
        resources.installCrds(List.of(RepoFiles.modelReleaseCrd()));
        resources.installCrds(RepoFiles.gatewayApiCrds());
        resources.ensureNamespace(namespace);
        this.prometheus = new LocalPrometheus(work.resolve("prometheus"));
        this.kubelet = new LocalKubelet(
                client, namespace, work.resolve("volumes"), LocalKubelet.jar(repo, work.resolve("logs")), prometheus);
        this.gateway = GatewaySimulator.start(client, Set.of(namespace));
        startOperator();
    }

    void startOperator() {
        operatorClient = ClientRetries.derive(client); // retries as the deployed operator's client does
        var reconciler = OperatorAssembly.reconciler(
                operatorClient,
                Clock.systemUTC(),
                Duration.ofSeconds(2),
                new ServerDefaults("fledge/model-server:0.1.0", 8080),
                gates.apply(this),
                new SimpleMeterRegistry());
        operator = new Operator(o -> o.withKubernetesClient(operatorClient).withCloseClientOnStop(true));
        operator.register(reconciler, c -> c.settingNamespaces(Set.of(namespace)));
        operator.start();
    }

    void stopOperator() {
        operator.stop();
    }

    String modelUri(String fixture) {
        return repo.resolve("model-server/target/fixtures/models/" + fixture)
                .toUri()
                .toString();
    }

    ModelRelease current(String name) {
        return client.resources(ModelRelease.class)
                .inNamespace(namespace)
                .withName(name)
                .get();
    }

    /** The release's status once it has a phase and {@code p} holds for it, within {@code timeout}. */
    ModelReleaseStatus awaitStatus(String name, Predicate<ModelReleaseStatus> p, Duration timeout) {
        ModelReleaseStatus[] holder = new ModelReleaseStatus[1];
        Awaitility.await().atMost(timeout).pollInterval(Duration.ofMillis(250)).until(() -> {
            ModelRelease mr = current(name);
            holder[0] = mr == null ? null : mr.getStatus();
            return holder[0] != null && holder[0].getPhase() != null && p.test(holder[0]);
        });
        return holder[0];
    }

    /**
     * Gives the release this spec, as a user's apply would. The edit is conditional on the version it read, and the
     * operator writes status meanwhile (twice when a rollout ends: the decision, then its drain time), so a 409 is read
     * again and retried.
     */
    void replaceSpec(String name, ModelReleaseSpec spec) {
        UserEdits.edit(
                client.resources(ModelRelease.class).inNamespace(namespace).withName(name), mr -> {
                    mr.setSpec(spec);
                    return mr;
                });
    }

    @Override
    public void close() {
        gateway.close();
        try {
            operator.stop();
        } finally {
            kubelet.close();
            prometheus.close();
        }
    }
}
