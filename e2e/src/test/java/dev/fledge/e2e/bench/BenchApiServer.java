package dev.fledge.e2e.bench;

import io.fabric8.kubeapitest.KubeAPIServer;
import io.fabric8.kubeapitest.KubeAPIServerConfigBuilder;
import io.fabric8.kubernetes.api.model.NamespaceBuilder;
import io.fabric8.kubernetes.api.model.ServiceAccountBuilder;
import io.fabric8.kubernetes.api.model.authentication.TokenRequestBuilder;
import io.fabric8.kubernetes.api.model.rbac.ClusterRoleBindingBuilder;
import io.fabric8.kubernetes.client.Config;
import io.fabric8.kubernetes.client.KubernetesClient;
import io.fabric8.kubernetes.client.KubernetesClientBuilder;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.PosixFilePermissions;
import java.util.Base64;
import java.util.concurrent.atomic.AtomicBoolean;

/**
 * Benchmark harness (and ShardsOnRealApiServerTest's thousand releases): the same real kube-apiserver + etcd as the e2e suites (kube-api-test, binaries from
 * {@code make kube-binaries}), but with room for thousands of Services. kube-api-test fixes
 * {@code --service-cluster-ip-range 10.0.0.0/24} (254 addresses, and every release owns three Services), after any
 * flag it is given, so the benchmark runs the binary through a wrapper that widens the range to a /16.
 */
public final class BenchApiServer implements AutoCloseable {
    static final String VERSION = System.getProperty("fledge.kube.version", "1.34.4");
    static final String SERVICE_RANGE = "10.96.0.0/16";
    static final int HARNESS_WATCH_RECONNECT_MS = 50;
    private final KubeAPIServer server;
    private final AtomicBoolean stopped = new AtomicBoolean();
    public final KubernetesClient client;

    public BenchApiServer(Path work) throws IOException {
        Path source = Path.of(System.getProperty("user.home"), ".kubeapitest", "k8s", VERSION + "-linux-amd64");
        if (!Files.isExecutable(source.resolve("kube-apiserver"))) {
            throw new IllegalStateException("no kube-apiserver in " + source + ": run make kube-binaries");
        }
        Path bin = work.resolve("k8s").resolve(VERSION + "-linux-amd64");
        Files.createDirectories(bin);
        for (String tool : new String[] {"etcd", "kubectl"}) {
            Files.deleteIfExists(bin.resolve(tool));
            Files.createSymbolicLink(bin.resolve(tool), source.resolve(tool));
        }
        Path wrapper = bin.resolve("kube-apiserver");
        Files.writeString(wrapper, """
                #!/bin/bash
                # benchmark harness: kube-api-test's kube-apiserver with a /16 service range
                args=()
                while [ $# -gt 0 ]; do
                  if [ "$1" = "--service-cluster-ip-range" ]; then args+=("$1" "%s"); shift 2; continue; fi
                  args+=("$1"); shift
                done
                exec "%s" "${args[@]}"
                """.formatted(SERVICE_RANGE, source.resolve("kube-apiserver")));
        Files.setPosixFilePermissions(wrapper, PosixFilePermissions.fromString("rwxr-xr-x"));
        server = new KubeAPIServer(KubeAPIServerConfigBuilder.anAPIServerConfig()
                .withTestDir(work.toString())
                .withApiServerVersion(VERSION)
                .withOfflineMode(true)
                .withStartupTimeout(180_000)
                .build());
        server.start();
        // Ctrl-C skips try-with-resources: stop kube-apiserver and etcd from a hook too, once
        Runtime.getRuntime().addShutdownHook(new Thread(this::stop, "stop-bench-kube-apiserver"));
        Config config = Config.fromKubeconfig(server.getKubeConfigYaml());
        // Fabric8 ends each informer's watch every 5 to 10 minutes and waits watchReconnectInterval (1 s by default)
        // before watching again: for that second this harness (its Gateway, readiness stand-in and recorder) saw no
        // change, and every stage change routed then was measured as late as the wait (docs/scale.md). A Gateway
        // controller on client-go watches again at once; so does the harness, nearly. (ShardsOnRealApiServerTest's
        // in-process shards use this client too, so they also watch again after 50 ms, not the packaged 200 ms.)
        config.setWatchReconnectInterval(HARNESS_WATCH_RECONNECT_MS);
        client = new KubernetesClientBuilder().withConfig(config).build();
    }

    public String kubeConfigYaml() {
        return server.getKubeConfigYaml();
    }

    /**
     * A kubeconfig for the operator that authenticates as a ServiceAccount with a bearer token, as the chart's pod does
     * (its projected token), not with this server's client certificate. Fabric8's token refresh (7.5.2) records a
     * refresh only when it finds a token: with a client certificate it reads and parses the kubeconfig again before
     * every request after the first minute, which at N = 1000 was 28 % of the operator's allocations (JFR), a cost the
     * operator does not have in a cluster. The account is bound to cluster-admin: the benchmark measures the
     * operator's work, and the chart's RBAC is proven on the cluster tier.
     */
    public String serviceAccountKubeConfig(String namespace, String name) {
        client.resource(new NamespaceBuilder()
                        .withNewMetadata()
                        .withName(namespace)
                        .endMetadata()
                        .build())
                .serverSideApply();
        client.resource(new ServiceAccountBuilder()
                        .withNewMetadata()
                        .withName(name)
                        .withNamespace(namespace)
                        .endMetadata()
                        .build())
                .serverSideApply();
        client.resource(new ClusterRoleBindingBuilder()
                        .withNewMetadata()
                        .withName(name + "-bench")
                        .endMetadata()
                        .withNewRoleRef("rbac.authorization.k8s.io", "ClusterRole", "cluster-admin")
                        .addNewSubject()
                        .withKind("ServiceAccount")
                        .withName(name)
                        .withNamespace(namespace)
                        .endSubject()
                        .build())
                .serverSideApply();
        String token = client.serviceAccounts()
                .inNamespace(namespace)
                .withName(name)
                .tokenRequest(new TokenRequestBuilder()
                        .withNewSpec()
                        .withExpirationSeconds(24 * 3600L)
                        .endSpec()
                        .build())
                .getStatus()
                .getToken();
        Config config = client.getConfiguration();
        String ca = config.getCaCertData();
        if (ca == null && config.getCaCertFile() != null) {
            try {
                ca = Base64.getEncoder().encodeToString(Files.readAllBytes(Path.of(config.getCaCertFile())));
            } catch (IOException e) {
                throw new UncheckedIOException(e);
            }
        }
        if (ca == null) {
            throw new IllegalStateException("the API server's kubeconfig names no certificate authority");
        }
        return """
                apiVersion: v1
                kind: Config
                clusters:
                  - name: bench
                    cluster:
                      server: %s
                      certificate-authority-data: %s
                users:
                  - name: %s
                    user:
                      token: %s
                contexts:
                  - name: bench
                    context:
                      cluster: bench
                      user: %s
                current-context: bench
                """.formatted(config.getMasterUrl(), ca, name, token, name);
    }

    @Override
    public void close() {
        client.close();
        stop();
    }

    private void stop() {
        if (stopped.compareAndSet(false, true)) {
            server.stop();
        }
    }
}
