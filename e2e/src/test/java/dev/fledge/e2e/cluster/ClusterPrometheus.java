package dev.fledge.e2e.cluster;

import dev.fledge.e2e.gates.DocsScrapeJob;
import dev.fledge.e2e.local.ManagedProcess;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/**
 * A real Prometheus for the cluster tier, built with Kubernetes service discovery by
 * {@code e2e/cluster/prometheus-binary.sh} ({@code cluster.sh run} names it in {@code FLEDGE_PROMETHEUS_BIN}; Debian's,
 * which the other tiers run, has no Kubernetes discovery). A process in the node's network
 * namespace (as the test JVM is), listening on the node's address, where the operator pod reaches it. It runs the
 * plain scrape job of docs/servers.md unchanged but for its interval and its service discovery: Kubernetes pod
 * discovery against the cluster's API server (the kubeconfig of {@code cluster.sh}), in every namespace. So the
 * targets, their labels and the keep rules are what that page gives a platform team, on real model pods.
 *
 * <p>One per test JVM ({@link #shared}): the chart names one Prometheus for the operator (its port,
 * {@link ClusterChart#PROMETHEUS_PORT}), and the tier's classes run side by side. A class that stops it (Prometheus
 * down) holds the other classes' metric gates too, as a real outage would, until it starts it again.
 */
final class ClusterPrometheus implements AutoCloseable {
    private static ClusterPrometheus shared;

    private final Path dir;
    private final String listen;
    private ManagedProcess process;

    /**
     * The JVM's Prometheus, started by the first caller; stopped by {@link #close} or at the JVM's exit
     * ({@link ManagedProcess}).
     */
    static synchronized ClusterPrometheus shared(String kubeconfig) throws IOException {
        if (shared == null) {
            shared = new ClusterPrometheus(
                    Files.createTempDirectory("fledge-cluster-prometheus"),
                    kubeconfig,
                    Path.of(System.getenv("FLEDGE_CLUSTER_DIR"), "prometheus.kubeconfig")
                            .toString());
        }
        return shared;
    }

    private ClusterPrometheus(Path dir, String kubeconfig, String kubeconfigFile) {
        this.dir = dir;
        this.listen = ClusterChart.nodeIp(kubeconfig) + ":" + ClusterChart.PROMETHEUS_PORT;
        Map<String, Object> job = new LinkedHashMap<>(DocsScrapeJob.read());
        long interval = ClusterChart.SCRAPE_INTERVAL.toMillis();
        job.put("scrape_interval", interval + "ms");
        job.put("scrape_timeout", interval * 3 / 4 + "ms");
        job.put("kubernetes_sd_configs", List.of(Map.of("role", "pod", "kubeconfig_file", kubeconfigFile)));
        try {
            Files.createDirectories(dir);
            Files.writeString(
                    dir.resolve("prometheus.yml"),
                    DocsScrapeJob.YAML.writeValueAsString(Map.of("scrape_configs", List.of(job))));
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
        start();
    }

    String url() {
        return "http://" + listen;
    }

    /** Starts it (again: the data directory is kept, as a restarted Prometheus keeps its TSDB). */
    void start() {
        process = ManagedProcess.start(
                "prometheus",
                List.of(
                        binary(),
                        "--config.file=" + dir.resolve("prometheus.yml"),
                        "--storage.tsdb.path=" + dir.resolve("data"),
                        "--web.listen-address=" + listen,
                        "--log.level=warn"),
                Map.of(),
                dir);
        process.awaitHttpOk(url() + "/-/ready", Duration.ofSeconds(60));
    }

    static String binary() {
        String bin = System.getenv("FLEDGE_PROMETHEUS_BIN");
        if (bin == null || !Files.isExecutable(Path.of(bin))) {
            throw new AssertionError("no Prometheus with Kubernetes discovery (FLEDGE_PROMETHEUS_BIN=" + bin
                    + "): e2e/cluster/cluster.sh run builds it (make cluster-binaries)");
        }
        return bin;
    }

    /** Stops it: scenario "Prometheus is down". */
    void stop() {
        process.close();
    }

    /** Stops it for good: a later {@link #shared} starts another. */
    @Override
    public void close() {
        synchronized (ClusterPrometheus.class) {
            if (shared == this) {
                shared = null;
            }
        }
        stop();
    }
}
