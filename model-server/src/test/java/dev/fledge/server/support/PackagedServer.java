package dev.fledge.server.support;

import java.io.IOException;
import java.net.ServerSocket;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.concurrent.TimeUnit;

/**
 * The packaged model server ({@code target/quarkus-app/quarkus-run.jar}) as its own process on a free loopback
 * port, with the DJL settings of the test JVM, the given environment, and its log in {@code target/it-logs/}.
 */
public final class PackagedServer implements AutoCloseable {
    private static final List<String> DJL =
            List.of("ai.djl.offline", "ai.djl.pytorch.num_threads", "ai.djl.pytorch.num_interop_threads");
    private final Process process;
    private final int port;
    private final Path log;

    private PackagedServer(Process process, int port, Path log) {
        this.process = process;
        this.port = port;
        this.log = log;
    }

    public static Path jar() {
        Path jar = Path.of("target/quarkus-app/quarkus-run.jar").toAbsolutePath();
        if (!Files.isRegularFile(jar)) {
            throw new IllegalStateException(jar + " is missing: package the module first");
        }
        return jar;
    }

    /** Starts the server; {@code FLEDGE_RELEASE}, {@code FLEDGE_MODEL_VERSION} default to assistant, 1.0.0. */
    public static PackagedServer start(String name, Map<String, String> env) throws IOException {
        int port = freePort();
        List<String> command = new ArrayList<>(List.of("java", "-Xmx256m"));
        for (String key : DJL) {
            if (System.getProperty(key) != null) {
                command.add("-D" + key + "=" + System.getProperty(key));
            }
        }
        command.addAll(List.of("-jar", jar().toString()));
        Path log = Path.of("target/it-logs/" + name + ".log").toAbsolutePath();
        Files.createDirectories(log.getParent());
        ProcessBuilder builder =
                new ProcessBuilder(command).redirectErrorStream(true).redirectOutput(log.toFile());
        builder.environment()
                .putAll(Map.of(
                        "FLEDGE_RELEASE", "assistant", "FLEDGE_MODEL_VERSION", "1.0.0", "FLEDGE_PUBLIC_PORT", "0"));
        builder.environment().putAll(env);
        builder.environment().put("QUARKUS_HTTP_PORT", Integer.toString(port));
        Process process = builder.start();
        Runtime.getRuntime().addShutdownHook(new Thread(process::destroy, "stop-" + name));
        return new PackagedServer(process, port, log);
    }

    public static int freePort() throws IOException {
        try (ServerSocket socket = new ServerSocket(0)) {
            return socket.getLocalPort();
        }
    }

    public URI base() {
        return URI.create("http://127.0.0.1:" + port);
    }

    public int port() {
        return port;
    }

    /** Waits until {@code path} answers 200 (readiness, or liveness for a server whose upstream is down). */
    public PackagedServer awaitOk(String path, Duration timeout) throws Exception {
        HttpClient client =
                HttpClient.newBuilder().connectTimeout(Duration.ofSeconds(1)).build();
        HttpRequest probe = HttpRequest.newBuilder(base().resolve(path))
                .timeout(Duration.ofSeconds(3))
                .build();
        long deadline = System.nanoTime() + timeout.toNanos();
        while (System.nanoTime() < deadline) {
            if (!process.isAlive()) {
                throw new IllegalStateException("server exited with " + process.exitValue() + ":\n" + logTail());
            }
            try {
                if (client.send(probe, HttpResponse.BodyHandlers.discarding()).statusCode() == 200) {
                    return this;
                }
            } catch (IOException notYet) {
                // not listening yet
            }
            Thread.sleep(50);
        }
        throw new IllegalStateException("server not ready within " + timeout + ":\n" + logTail());
    }

    /** The exit code of a server that is expected to stop by itself. */
    public int exitWithin(Duration timeout) throws InterruptedException {
        if (!process.waitFor(timeout.toMillis(), TimeUnit.MILLISECONDS)) {
            throw new IllegalStateException("server still running after " + timeout);
        }
        return process.exitValue();
    }

    public String logTail() throws IOException {
        List<String> lines = Files.readAllLines(log);
        return String.join("\n", lines.subList(Math.max(0, lines.size() - 30), lines.size()));
    }

    /** Sends the server SIGTERM, as the kubelet does after a pod's preStop, and returns at once. */
    public void terminate() {
        process.destroy();
    }

    @Override
    public void close() throws InterruptedException {
        process.destroy();
        process.waitFor();
    }
}
