package dev.fledge.e2e.bench;

import dev.fledge.e2e.local.FreePort;
import dev.fledge.e2e.local.ManagedProcess;
import dev.fledge.testsupport.FledgeChart;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.stream.Stream;

/**
 * The production operator (the Quarkus jar that the image runs) as a child process of the benchmark, so that its
 * CPU time and peak RSS can be read from {@code /proc} apart from the benchmark's own work. The JVM runs as in the
 * chart's container: {@code -XX:MaxRAM=512m} stands for the 512Mi memory limit, the rest is the chart's
 * {@code JAVA_TOOL_OPTIONS} and {@code MALLOC_ARENA_MAX}, read from the chart itself.
 */
final class OperatorProcess implements AutoCloseable {
    /**
     * The chart's JAVA_TOOL_OPTIONS (its default {@code operator.jvmOptions}), with {@code -XX:MaxRAM=512m} standing
     * for its 512Mi memory limit. {@code -Dfledge.bench.jvm="..."} tries other options instead.
     */
    static List<String> jvm(Path repo) {
        String options =
                System.getProperty("fledge.bench.jvm", "-XX:MaxRAM=512m " + chartEnv(repo, "JAVA_TOOL_OPTIONS"));
        return List.of(options.trim().split("\\s+"));
    }

    /** The value of the operator container's environment variable {@code name} in the chart rendered with defaults. */
    static String chartEnv(Path repo, String name) {
        return chart(repo).operatorEnv(name);
    }

    /** The chart rendered with its defaults, once per run (Helm runs in-process for it). */
    private static synchronized FledgeChart chart(Path repo) {
        return RENDERED.computeIfAbsent(
                repo, r -> FledgeChart.render(r.resolve("helm/fledge"), "fledge-system", BenchApiServer.VERSION, ""));
    }

    private static final Map<Path, FledgeChart> RENDERED = new HashMap<>();

    private static final String DEFERRED_READS = "dev.fledge.operator.gates.DeferredReads";

    private final ManagedProcess process;
    final int httpPort = FreePort.get();

    OperatorProcess(Path repo, Path work, Path kubeconfig, String namespace, String prometheusUrl) {
        Path jar = repo.resolve("operator/target/quarkus-app/quarkus-run.jar");
        if (!Files.isRegularFile(jar)) {
            throw new IllegalStateException("no operator build at " + jar + ": run ./mvnw -DskipTests install first");
        }
        process = ManagedProcess.start(
                "operator",
                Stream.of(
                                Stream.of("java"),
                                jvm(repo).stream(),
                                // when its passes stop waiting for Prometheus's answers (each analysis two passes)
                                Stream.of(
                                        "-Dquarkus.log.category.\"" + DEFERRED_READS + "\".level=DEBUG",
                                        // its collections, with wall-clock times to set beside latencies.csv
                                        "-Xlog:gc:file=" + work.resolve("gc.log") + ":time"),
                                Stream.of("-jar", jar.toString()))
                        .flatMap(s -> s)
                        .toList(),
                Map.of(
                        "KUBECONFIG",
                        kubeconfig.toString(),
                        "QUARKUS_HTTP_PORT",
                        Integer.toString(httpPort),
                        "QUARKUS_OPERATOR_SDK_CONTROLLERS_MODELRELEASE_NAMESPACES",
                        namespace,
                        "FLEDGE_LEADER_ELECTION_LEASE_NAMESPACE",
                        namespace,
                        "FLEDGE_PROMETHEUS_URL",
                        prometheusUrl,
                        "QUARKUS_LOG_CATEGORY__DEV_FLEDGE__LEVEL",
                        "WARN",
                        "MALLOC_ARENA_MAX",
                        chartEnv(repo, "MALLOC_ARENA_MAX")),
                work);
        process.awaitHttpOk("http://127.0.0.1:" + httpPort + "/q/health/ready", Duration.ofSeconds(90));
    }

    /** The operator's Prometheus metrics text ({@code /q/metrics}). */
    String metrics() {
        try {
            var http = HttpClient.newHttpClient();
            return http.send(
                            HttpRequest.newBuilder(URI.create("http://127.0.0.1:" + httpPort + "/q/metrics"))
                                    .timeout(Duration.ofSeconds(30))
                                    .build(),
                            HttpResponse.BodyHandlers.ofString())
                    .body();
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new IllegalStateException(e);
        }
    }

    /** User + system CPU seconds the operator's JVM has used so far. */
    double cpuSeconds() {
        return MachineCpu.seconds(read("stat"));
    }

    /** Peak resident set size (VmHWM) in MiB. */
    double peakRssMiB() {
        return statusKiB("VmHWM") / 1024.0;
    }

    double rssMiB() {
        return statusKiB("VmRSS") / 1024.0;
    }

    /**
     * The live heap by class ({@code jcmd GC.class_histogram}, which runs a full GC first): the total and the
     * {@code top} classes by bytes, in MiB. Where the operator's memory per release goes.
     */
    String liveHeap(int top) {
        Path jcmd =
                Path.of(ProcessHandle.current().info().command().orElseThrow()).resolveSibling("jcmd");
        try {
            Process p = new ProcessBuilder(jcmd.toString(), Long.toString(process.pid()), "GC.class_histogram")
                    .redirectErrorStream(true)
                    .start();
            List<String> lines = new String(p.getInputStream().readAllBytes(), StandardCharsets.UTF_8)
                    .lines()
                    .toList();
            if (!p.waitFor(60, java.util.concurrent.TimeUnit.SECONDS)) {
                p.destroyForcibly();
                return "  live heap: jcmd did not answer within 60 s";
            }
            StringBuilder out = new StringBuilder();
            lines.stream()
                    .filter(l -> l.startsWith("Total"))
                    .findFirst()
                    .ifPresent(l -> out.append(String.format(
                            "  live heap %.1f MiB;", Long.parseLong(l.trim().split("\\s+")[2]) / 1048576.0)));
            lines.stream()
                    .filter(l -> l.matches("\\s*\\d+:\\s+\\d+\\s+\\d+\\s+\\S+.*"))
                    .limit(top)
                    .forEach(l -> {
                        String[] f = l.trim().split("\\s+");
                        out.append(String.format(" %s %.1f,", f[3], Long.parseLong(f[2]) / 1048576.0));
                    });
            return out.toString();
        } catch (IOException | RuntimeException e) {
            return "  live heap: jcmd failed: " + e; // the figures above are not lost for it
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            return "  live heap: interrupted";
        }
    }

    private long statusKiB(String key) {
        return read("status")
                .lines()
                .filter(l -> l.startsWith(key + ":"))
                .findFirst()
                .map(l -> Long.parseLong(l.replaceAll("[^0-9]", "")))
                .orElseThrow();
    }

    private String read(String file) {
        if (!process.alive()) {
            throw new IllegalStateException("the operator exited; see its log in the benchmark's work directory");
        }
        try {
            return Files.readString(Path.of("/proc", Long.toString(process.pid()), file));
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }

    @Override
    public void close() {
        process.close();
    }
}
