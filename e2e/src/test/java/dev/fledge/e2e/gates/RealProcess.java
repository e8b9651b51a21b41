package dev.fledge.e2e.gates;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.net.ServerSocket;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.time.Instant;
import java.util.List;
import java.util.Map;
import java.util.concurrent.TimeUnit;

/** A child process of a gate test (a model server, Prometheus) on a free loopback port, its output in a log file. */
final class RealProcess implements AutoCloseable {
    static final Path REPO = Path.of(System.getProperty("fledge.repo.dir", "..")).toAbsolutePath().normalize();
    private static final HttpClient HTTP = HttpClient.newBuilder().connectTimeout(Duration.ofSeconds(1)).build();

    final String name;
    final int port;
    final Path log;
    private final Process process;

    private RealProcess(String name, int port, Process process, Path log) {
        this.name = name;
        this.port = port;
        this.process = process;
        this.log = log;
    }

    static RealProcess start(String name, int port, List<String> command, Map<String, String> env, Path dir) {
        try {
            Files.createDirectories(dir);
            Path log = dir.resolve(name + ".log");
            ProcessBuilder pb = new ProcessBuilder(command).redirectErrorStream(true).redirectOutput(log.toFile());
            pb.environment().putAll(env);
            return new RealProcess(name, port, pb.start(), log);
        } catch (IOException e) {
            throw new UncheckedIOException("cannot start " + name + ": " + command, e);
        }
    }

    /** A model server serving one fixture model as {@code release}/{@code version}, with extra env (fault knobs). */
    static RealProcess modelServer(String fixture, String version, Map<String, String> extraEnv, Path dir) {
        Path jar = REPO.resolve("model-server/target/quarkus-app/quarkus-run.jar");
        Path model = REPO.resolve("model-server/target/fixtures/models/" + fixture);
        if (!Files.isRegularFile(jar) || !Files.isDirectory(model)) {
            throw new IllegalStateException("needs " + jar + " and " + model + ": run make model-fixtures and build model-server first");
        }
        int port = freePort();
        Map<String, String> env = new java.util.HashMap<>(Map.of("FLEDGE_MODEL_URI", model.toUri().toString(),
                "FLEDGE_MODEL_VERSION", version, "FLEDGE_RELEASE", "assistant", "QUARKUS_HTTP_PORT", String.valueOf(port),
                "QUARKUS_HTTP_HOST", "127.0.0.1", "DJL_CACHE_DIR", REPO.resolve("model-server/target/djl-cache").toString(),
                "DJL_OFFLINE", "true", "OPT_OUT_TRACKING", "true", "OMP_NUM_THREADS", "1"));
        env.putAll(extraEnv);
        RealProcess p = start("model-server-" + fixture + "-" + version, port,
                List.of("java", "-Xmx256m", "-XX:TieredStopAtLevel=1", "-jar", jar.toString()), env, dir);
        p.awaitHttpOk("/q/health/ready", Duration.ofSeconds(90));
        return p;
    }

    static RealProcess prometheus(List<String> targets, Path dir) {
        int port = freePort();
        try {
            Files.createDirectories(dir);
            Files.writeString(dir.resolve("prometheus.yml"), """
                    global:
                      scrape_interval: 1s
                      scrape_timeout: 900ms
                    scrape_configs:
                      - job_name: fledge-model-servers
                        static_configs:
                          - targets: [%s]
                    """.formatted(String.join(", ", targets)));
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
        RealProcess p = start("prometheus", port, List.of("prometheus", "--config.file=" + dir.resolve("prometheus.yml"),
                "--storage.tsdb.path=" + dir.resolve("data"), "--web.listen-address=127.0.0.1:" + port, "--log.level=warn"),
                Map.of(), dir);
        p.awaitHttpOk("/-/ready", Duration.ofSeconds(30));
        return p;
    }

    String url() {
        return "http://127.0.0.1:" + port;
    }

    void awaitHttpOk(String path, Duration timeout) {
        Instant end = Instant.now().plus(timeout);
        while (Instant.now().isBefore(end)) {
            if (!process.isAlive()) {
                throw new IllegalStateException(name + " exited with " + process.exitValue() + "; see " + log);
            }
            try {
                var r = HTTP.send(HttpRequest.newBuilder(URI.create(url() + path)).timeout(Duration.ofSeconds(2)).build(),
                        HttpResponse.BodyHandlers.discarding());
                if (r.statusCode() == 200) {
                    return;
                }
            } catch (IOException e) {
                // not up yet
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
                throw new IllegalStateException(e);
            }
            try {
                Thread.sleep(100);
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
                throw new IllegalStateException(e);
            }
        }
        throw new IllegalStateException(name + " not ready at " + url() + path + " within " + timeout + "; see " + log);
    }

    /** Removes a test's scratch directory (logs, Prometheus data). */
    static void deleteTree(Path dir) {
        if (dir == null || !Files.exists(dir)) {
            return;
        }
        try (var paths = Files.walk(dir)) {
            paths.sorted(java.util.Comparator.reverseOrder()).forEach(p -> p.toFile().delete());
        } catch (IOException e) {
            // best effort
        }
    }

    static int freePort() {
        try (ServerSocket s = new ServerSocket(0)) {
            return s.getLocalPort();
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }

    @Override
    public void close() {
        if (!process.isAlive()) {
            return;
        }
        process.destroy();
        try {
            if (!process.waitFor(10, TimeUnit.SECONDS)) {
                process.destroyForcibly().waitFor(5, TimeUnit.SECONDS);
            }
        } catch (InterruptedException e) {
            process.destroyForcibly();
            Thread.currentThread().interrupt();
        }
    }
}
