package dev.fledge.e2e.local;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.stream.Collectors;

/**
 * A real Prometheus (Debian's package, installed by {@code make prometheus}) on a free loopback port, scraping the
 * harness's model-server processes every second through a file_sd target list that the kubelet stand-in rewrites.
 */
public final class LocalPrometheus implements AutoCloseable {
    /** The scrape interval below; the operator under test is told it, as the chart tells the real one. */
    static final Duration SCRAPE_INTERVAL = Duration.ofSeconds(1);

    private final Path dir;
    private final Path targets;
    final int port;
    private ManagedProcess process;

    public LocalPrometheus(Path dir) {
        this.dir = dir;
        this.targets = dir.resolve("targets.json");
        this.port = FreePort.get();
        try {
            Files.createDirectories(dir);
            Files.writeString(dir.resolve("prometheus.yml"), """
                    global:
                      scrape_interval: 1s
                      scrape_timeout: 900ms
                      evaluation_interval: 1s
                    scrape_configs:
                      - job_name: fledge-model-servers
                        file_sd_configs:
                          - files: [%s]
                            refresh_interval: 1s
                    """.formatted(targets));
            targets(Map.of(), "");
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
        start();
    }

    public String url() {
        return "http://127.0.0.1:" + port;
    }

    void start() {
        process = ManagedProcess.start(
                "prometheus",
                List.of(
                        "prometheus",
                        "--config.file=" + dir.resolve("prometheus.yml"),
                        "--storage.tsdb.path=" + dir.resolve("data"),
                        "--web.listen-address=127.0.0.1:" + port,
                        "--log.level=warn"),
                Map.of(),
                dir);
        process.awaitHttpOk(url() + "/-/ready", Duration.ofSeconds(30));
    }

    /** Stops Prometheus (the data stays): scenario "Prometheus is down". */
    void stop() {
        process.close();
    }

    boolean running() {
        return process.alive();
    }

    /**
     * Replaces the scrape targets (host:port, by the pod's track) atomically. They carry {@code namespace} and
     * {@code track} as target labels, as the chart's PodMonitor sets them from the pod (the built-in gate queries
     * select both).
     */
    synchronized void targets(Map<String, List<String>> hostPortsByTrack, String namespace) {
        String json = hostPortsByTrack.entrySet().stream()
                .map(e -> "{\"targets\": ["
                        + e.getValue().stream().map(t -> "\"" + t + "\"").collect(Collectors.joining(", "))
                        + "], \"labels\": {\"job\": \"fledge-model-servers\", \"namespace\": \"" + namespace
                        + "\", \"track\": \"" + e.getKey() + "\"}}")
                .collect(Collectors.joining(", ", "[", "]"));
        try {
            Path tmp = dir.resolve("targets.json.tmp");
            Files.writeString(tmp, json);
            Files.move(tmp, targets, StandardCopyOption.REPLACE_EXISTING, StandardCopyOption.ATOMIC_MOVE);
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }

    @Override
    public void close() {
        stop();
    }
}
