package dev.fledge.e2e.local;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.Map;

/**
 * A real Prometheus (Debian's package, installed by {@code make prometheus}) on a free loopback port, with nothing to
 * scrape: it answers the operator benchmark's constant gate query ({@code OperatorBenchmark}).
 */
public final class LocalPrometheus implements AutoCloseable {
    private final ManagedProcess process;
    private final int port;

    public LocalPrometheus(Path dir) {
        this.port = FreePort.get();
        try {
            Files.createDirectories(dir);
            Files.writeString(dir.resolve("prometheus.yml"), """
                    global:
                      scrape_interval: 1s
                      evaluation_interval: 1s
                    """);
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
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

    public String url() {
        return "http://127.0.0.1:" + port;
    }

    @Override
    public void close() {
        process.close();
    }
}
