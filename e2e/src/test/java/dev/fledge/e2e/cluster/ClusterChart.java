package dev.fledge.e2e.cluster;

import static org.assertj.core.api.Assertions.assertThat;

import com.marcnuri.helm.Helm;
import dev.fledge.e2e.apiserver.RepoFiles;
import dev.fledge.testsupport.FledgeChart;
import io.fabric8.kubernetes.client.Config;
import io.fabric8.kubernetes.client.KubernetesClient;
import io.fabric8.kubernetes.client.KubernetesClientBuilder;
import java.net.URI;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.concurrent.TimeUnit;

/**
 * The chart, installed once per test JVM of the cluster tier by helm-java: the images that {@code e2e/cluster/images.sh}
 * built and imported ({@code image.pullPolicy=Never}), the operator as a pod with the chart's RBAC, resources and
 * security context, and the chart's default prom-label-proxy beside the operator, which confines every metric query
 * to its release's namespace (its quay.io image replaced by the same version built here from its Go module:
 * {@code images.sh labelproxy}). Unlike a platform team's install, the chart's NetworkPolicy is not enforced (the CNI
 * bridge plugin does not enforce NetworkPolicies), so its egress rules are not what this tier proves. Its Prometheus is the one {@link ClusterPrometheus} runs in the
 * node's network namespace (on the node's address, which pods reach), scraping every {@link #SCRAPE_INTERVAL}, which
 * the chart tells the operator ({@code modelPodMonitor.interval}). The quick start's release has no metric gate, so
 * for it that value changes nothing.
 */
final class ClusterChart {
    static final Path REPO = RepoFiles.repo();
    static final int PROMETHEUS_PORT = 19090;
    static final Duration SCRAPE_INTERVAL = Duration.ofSeconds(2);
    /** The chart's prom-label-proxy values; its tag stays the chart's default, the version images.sh builds. */
    static final String LABEL_PROXY = "operator.prometheus.labelProxy";

    private static String installed;

    private ClusterChart() {}

    /** Installs the chart into {@code fledge-system} unless this JVM already did; the cluster's kubeconfig. */
    static synchronized String install() throws Exception {
        if (installed != null) {
            return installed;
        }
        String kubeconfig = Files.readString(requireCluster());
        long t0 = System.nanoTime();
        var install = new Helm(REPO.resolve("helm/fledge"))
                .install()
                .withKubeConfigContents(kubeconfig)
                .withName(FledgeChart.RELEASE)
                .withNamespace("fledge-system")
                .createNamespace()
                .waitReady()
                .withTimeout(300);
        FledgeChart.K3S_VALUES.forEach((key, value) -> {
            if (!key.startsWith(LABEL_PROXY)) {
                install.set(key, value);
            }
        });
        // the default operator pod: prom-label-proxy beside the operator, from the image images.sh builds
        install.set(LABEL_PROXY + ".enabled", "true");
        install.set(LABEL_PROXY + ".image.repository", "fledge.local/prom-label-proxy");
        install.set(LABEL_PROXY + ".image.pullPolicy", "Never");
        install.set("operator.prometheus.url", prometheusUrl(kubeconfig));
        install.set("modelPodMonitor.interval", SCRAPE_INTERVAL.toSeconds() + "s");
        // the platform allows another server's container behind the sidecar (SidecarOnClusterTest); off by default
        install.set("operator.modelPods.upstream.enabled", "true");
        // cluster.sh runs Traefik's kubernetesCRD provider with allowEmptyServices: the shadow stage mirrors through a
        // TraefikService there (GatewayApiOnClusterTest); off by default
        install.set("operator.routing.traefikMirror", "true");
        install.call();
        // helm's --wait needs replicas - maxUnavailable ready pods: with one replica and the chart's maxUnavailable 1,
        // none. Wait for the operator pod itself (seen: the quick start's first check found it not ready)
        try (KubernetesClient client = new KubernetesClientBuilder()
                .withConfig(Config.fromKubeconfig(kubeconfig))
                .build()) {
            client.apps()
                    .deployments()
                    .inNamespace("fledge-system")
                    .withName(FledgeChart.RELEASE)
                    .waitUntilCondition(
                            d -> d != null
                                    && d.getStatus() != null
                                    && d.getStatus().getReadyReplicas() != null
                                    && d.getStatus().getReadyReplicas() >= 1,
                            5,
                            TimeUnit.MINUTES);
        }
        System.out.printf(
                "cluster: chart installed, operator pod ready in %d s%n", (System.nanoTime() - t0) / 1_000_000_000L);
        installed = kubeconfig;
        return kubeconfig;
    }

    /**
     * Deletes a namespace and waits until it is gone (its pods stopped), so that they do not stay on the node's two
     * cores beside what runs next; then the namespace's model volume ({@link ModelVolumeClaim}, cluster-scoped), if it
     * has one.
     */
    /** What a test does in its namespace. */
    interface InNamespace {
        void run() throws Exception;
    }

    /**
     * Makes namespace {@code ns}, runs {@code body} in it and deletes it ({@link #deleteNamespace}), also when
     * {@code body} fails; a failed delete after a failed body is added to the body's failure, which stays the one
     * reported.
     */
    static void inNamespace(io.fabric8.kubernetes.client.KubernetesClient client, String ns, InNamespace body)
            throws Exception {
        client.namespaces()
                .resource(new io.fabric8.kubernetes.api.model.NamespaceBuilder()
                        .withNewMetadata()
                        .withName(ns)
                        .endMetadata()
                        .build())
                .create();
        try {
            body.run();
        } catch (Throwable t) {
            try {
                deleteNamespace(client, ns);
            } catch (RuntimeException e) {
                t.addSuppressed(e);
            }
            throw t;
        }
        deleteNamespace(client, ns);
    }

    static void deleteNamespace(io.fabric8.kubernetes.client.KubernetesClient client, String ns) {
        client.namespaces().withName(ns).delete();
        org.awaitility.Awaitility.await("namespace " + ns + " deleted")
                .atMost(Duration.ofMinutes(3))
                .pollInterval(Duration.ofSeconds(1))
                .until(() -> client.namespaces().withName(ns).get() == null);
        client.persistentVolumes().withName(ModelVolumeClaim.volumeName(ns)).delete();
    }

    /** The node's address: the API server's host in the kubeconfig ({@code cluster.sh} binds it there). */
    static String nodeIp(String kubeconfig) {
        return URI.create(Config.fromKubeconfig(kubeconfig).getMasterUrl()).getHost();
    }

    static String prometheusUrl(String kubeconfig) {
        return "http://" + nodeIp(kubeconfig) + ":" + PROMETHEUS_PORT;
    }

    /**
     * The cluster this tier runs on, its kubeconfig. The cluster tests run only in the cluster tier (their tag is
     * excluded elsewhere): a missing part fails them, so that {@code make test} can never pass with the tier silently
     * skipped.
     */
    static Path requireCluster() {
        String kubeconfig = System.getenv("KUBECONFIG");
        String clusterDir = System.getenv("FLEDGE_CLUSTER_DIR");
        assertThat(kubeconfig != null && clusterDir != null && Files.exists(Path.of(clusterDir, "ready")))
                .as("no cluster of e2e/cluster/cluster.sh: run make cluster-test")
                .isTrue();
        assertThat(System.getenv("FLEDGE_NETNS_PATH"))
                .as("not inside the node's network namespace (make cluster-tier runs the JVM there)")
                .isNotNull();
        for (String module : List.of("operator", "model-server")) {
            assertThat(REPO.resolve(module + "/target/jib-image.tar"))
                    .as(module + " image missing: run make images")
                    .isRegularFile();
        }
        return Path.of(kubeconfig);
    }
}
