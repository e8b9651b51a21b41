package dev.fledge.e2e.gates;

import dev.fledge.e2e.local.FreePort;
import dev.fledge.e2e.local.ManagedProcess;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.Comparator;
import java.util.HashMap;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.stream.Stream;

/**
 * A child process of a gate test (a model server, Prometheus) on a free loopback port. Process handling and the
 * model-server command line are this class's ({@link ManagedProcess}, {@link #startJar}).
 */
final class RealProcess implements AutoCloseable {
    static final Path REPO = Path.of(System.getProperty("fledge.repo.dir", ".."))
            .toAbsolutePath()
            .normalize();

    final int port;
    private final ManagedProcess process;

    private RealProcess(int port, ManagedProcess process) {
        this.port = port;
        this.process = process;
    }

    /** A model server serving one fixture model as {@code release}/{@code version}, with extra env (fault knobs). */
    static RealProcess modelServer(String fixture, String version, Map<String, String> extraEnv, Path dir) {
        return modelServer(fixture, version, extraEnv, dir, FreePort.get());
    }

    /** The same on a given port: a model server started again on its port is the same scrape target. */
    static RealProcess modelServer(String fixture, String version, Map<String, String> extraEnv, Path dir, int port) {
        Path jar = REPO.resolve("model-server/target/quarkus-app/quarkus-run.jar");
        Path model = REPO.resolve("model-server/target/fixtures/models/" + fixture);
        if (!Files.isRegularFile(jar) || !Files.isDirectory(model)) {
            throw new IllegalStateException(
                    "needs " + jar + " and " + model + ": run make model-fixtures and build model-server first");
        }
        Map<String, String> env = new HashMap<>(Map.of(
                "FLEDGE_MODEL_URI",
                model.toUri().toString(),
                "FLEDGE_MODEL_VERSION",
                version,
                "FLEDGE_RELEASE",
                "assistant",
                "OMP_NUM_THREADS",
                "1"));
        env.putAll(extraEnv);
        RealProcess p = new RealProcess(port, startJar(jar, "model-server-" + fixture + "-" + version, env, port, dir));
        p.process.awaitHttpOk(p.url() + "/q/health/ready", Duration.ofSeconds(90));
        return p;
    }

    /**
     * Starts the model server's jar with {@code podEnv} on {@code port} (loopback), DJL offline with the build's cache,
     * and none of this JVM's {@code AWS_*} variables, home or AWS files: only what a test names reaches the server.
     */
    private static ManagedProcess startJar(Path jar, String name, Map<String, String> podEnv, int port, Path logDir) {
        Path cache = REPO.resolve("model-server/target/djl-cache");
        Map<String, String> env = new LinkedHashMap<>(podEnv);
        env.put("QUARKUS_HTTP_PORT", String.valueOf(port));
        env.put("FLEDGE_PUBLIC_PORT", "0"); // the public port on a free one: tests call the main port
        env.put("QUARKUS_HTTP_HOST", "127.0.0.1");
        env.put("DJL_OFFLINE", "true");
        env.put("OPT_OUT_TRACKING", "true");
        env.put("DJL_CACHE_DIR", cache.toString());
        env.put("ENGINE_CACHE_DIR", cache.toString());
        env.remove("HOME");
        Path noAwsFiles = logDir.resolve("no-aws-config");
        env.putIfAbsent(
                "AWS_SHARED_CREDENTIALS_FILE", noAwsFiles.resolve("credentials").toString());
        env.putIfAbsent("AWS_CONFIG_FILE", noAwsFiles.resolve("config").toString());
        env.putIfAbsent("AWS_EC2_METADATA_DISABLED", "true");
        Path tmp = logDir.resolveSibling("tmp").resolve(name + "-" + port);
        try {
            Files.createDirectories(tmp);
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
        return ManagedProcess.start(
                name,
                List.of(
                        "java",
                        "-Xmx256m",
                        "-XX:TieredStopAtLevel=1",
                        "-Dai.djl.offline=true",
                        "-Dai.djl.pytorch.num_threads=1",
                        "-Dai.djl.pytorch.num_interop_threads=1",
                        "-Djava.io.tmpdir=" + tmp,
                        "-jar",
                        jar.toString()),
                env,
                logDir,
                inherited -> inherited.startsWith("AWS_") && !env.containsKey(inherited));
    }

    /** How often the Prometheus of {@link #prometheus} scrapes its targets. */
    static final Duration SCRAPE_INTERVAL = Duration.ofSeconds(1);

    /**
     * Prometheus scraping {@code targets} as one job, as canaries. The targets carry {@code namespace="ml"} and
     * {@code track="canary"} as target labels, as the chart's PodMonitor sets them from the pod (not from the exposed
     * series).
     */
    static RealProcess prometheus(List<String> targets, Path dir) {
        return prometheus("""
                  - job_name: fledge-model-servers
                    static_configs:
                      - targets: [%s]
                        labels: {namespace: ml, track: canary}
                """.formatted(String.join(", ", targets)), dir);
    }

    /** Prometheus with these {@code scrape_configs} entries (YAML, indented by two), scraping every second. */
    static RealProcess prometheus(String scrapeConfigs, Path dir) {
        return prometheus(scrapeConfigs, dir, List.of());
    }

    /** As {@link #prometheus(String, Path)}, with these further command-line flags. */
    static RealProcess prometheus(String scrapeConfigs, Path dir, List<String> flags) {
        int port = FreePort.get();
        try {
            Files.createDirectories(dir);
            Files.writeString(
                    dir.resolve("prometheus.yml"), """
                    global:
                      scrape_interval: %ds
                      scrape_timeout: 900ms
                    scrape_configs:
                    """.formatted(SCRAPE_INTERVAL.toSeconds()) + scrapeConfigs);
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
        RealProcess p = new RealProcess(
                port,
                ManagedProcess.start(
                        "prometheus",
                        Stream.concat(
                                        Stream.of(
                                                "prometheus",
                                                "--config.file=" + dir.resolve("prometheus.yml"),
                                                "--storage.tsdb.path=" + dir.resolve("data"),
                                                "--web.listen-address=127.0.0.1:" + port,
                                                "--log.level=warn"),
                                        flags.stream())
                                .toList(),
                        Map.of(),
                        dir));
        p.process.awaitHttpOk(p.url() + "/-/ready", Duration.ofSeconds(30));
        return p;
    }

    /**
     * prom-label-proxy ({@code make prom-label-proxy}) in front of {@code upstream}, enforcing the label
     * {@code namespace} from the URL parameter of the same name, as the chart runs it beside the operator.
     */
    static RealProcess promLabelProxy(String upstream, Path dir) {
        Path bin = Path.of(
                System.getenv().getOrDefault("FLEDGE_TOOLS_DIR", System.getProperty("user.home") + "/.fledge-tools"),
                "prom-label-proxy",
                "0.11.1",
                "prom-label-proxy");
        if (!Files.isExecutable(bin)) {
            throw new IllegalStateException("needs " + bin + ": run make prom-label-proxy");
        }
        int port = FreePort.get();
        RealProcess p = new RealProcess(
                port,
                ManagedProcess.start(
                        "prom-label-proxy",
                        List.of(
                                bin.toString(),
                                "-label=namespace",
                                "-upstream=" + upstream,
                                "-insecure-listen-address=127.0.0.1:" + port),
                        Map.of(),
                        dir));
        p.process.awaitHttpOk(p.url() + "/api/v1/query?namespace=x&query=vector(1)", Duration.ofSeconds(30));
        return p;
    }

    String url() {
        return "http://127.0.0.1:" + port;
    }

    /** Removes a test's scratch directory (logs, Prometheus data). */
    static void deleteTree(Path dir) {
        if (dir == null || !Files.exists(dir)) {
            return;
        }
        try (var paths = Files.walk(dir)) {
            paths.sorted(Comparator.reverseOrder()).forEach(p -> p.toFile().delete());
        } catch (IOException e) {
            // best effort
        }
    }

    @Override
    public void close() {
        process.close();
    }
}
