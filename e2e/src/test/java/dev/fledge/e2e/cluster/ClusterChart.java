package dev.fledge.e2e.cluster;

import static org.assertj.core.api.Assertions.assertThat;

import com.marcnuri.helm.Helm;
import dev.fledge.e2e.apiserver.RepoFiles;
import dev.fledge.testsupport.FledgeChart;
import io.fabric8.kubernetes.client.Config;
import java.net.URI;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;

/**
 * The chart, installed once per test JVM of the cluster tier by helm-java: the images that {@code e2e/cluster/images.sh}
 * built and imported ({@code image.pullPolicy=Never}), the operator as a pod with the chart's RBAC, resources and
 * security context. Unlike a platform team's install: no prom-label-proxy beside the operator (its image is on
 * quay.io, which this machine cannot reach), and the chart's NetworkPolicy is not enforced (the CNI bridge plugin does
 * not enforce NetworkPolicies), so its egress rules are not what this tier proves. Its Prometheus is the one {@link ClusterPrometheus} runs in the
 * node's network namespace (on the node's address, which pods reach), scraping every {@link #SCRAPE_INTERVAL}, which
 * the chart tells the operator ({@code modelPodMonitor.interval}). The quick start's release has no metric gate, so
 * for it that value changes nothing.
 */
final class ClusterChart {
    static final Path REPO = RepoFiles.repo();
    static final int PROMETHEUS_PORT = 19090;
    static final Duration SCRAPE_INTERVAL = Duration.ofSeconds(2);

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
        FledgeChart.K3S_VALUES.forEach(install::set);
        install.set("operator.prometheus.url", prometheusUrl(kubeconfig));
        install.set("modelPodMonitor.interval", SCRAPE_INTERVAL.toSeconds() + "s");
        install.call();
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
