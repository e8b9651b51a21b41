package dev.fledge.server.bench;

import java.io.IOException;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;

/**
 * The packaged model server started the way the operator and the e2e harness start it, with the DJL settings of the
 * benchmark's own JVM (the server would apply the same ones itself: DjlDefaults), and its environment
 * ({@code DJL_CACHE_DIR}).
 */
final class ServerProcess {
    private static final List<String> SAME_AS_IN_PROCESS =
            List.of("ai.djl.offline", "ai.djl.pytorch.num_threads", "ai.djl.pytorch.num_interop_threads");
    private final Path jar;
    private final Map<String, String> env;
    private final int port;
    private final String log;

    /** The server in its DJL mode, serving the model directory. */
    static ServerProcess djl(Path jar, Path model, int port) {
        return new ServerProcess(jar, Map.of("FLEDGE_MODEL_URI", model.toUri().toString()), port, "bench-server.log");
    }

    /** The server in proxy mode, in front of another one on this machine. */
    static ServerProcess proxy(Path jar, int upstreamPort, int port) {
        return new ServerProcess(
                jar, Map.of("FLEDGE_UPSTREAM_URL", "http://127.0.0.1:" + upstreamPort), port, "bench-proxy.log");
    }

    private ServerProcess(Path jar, Map<String, String> env, int port, String log) {
        this.jar = jar;
        this.env = env;
        this.port = port;
        this.log = log;
    }

    Process start() throws IOException {
        List<String> command = new ArrayList<>(List.of("java"));
        for (String djl : SAME_AS_IN_PROCESS) {
            String value = System.getProperty(djl);
            if (value != null) {
                command.add("-D" + djl + "=" + value);
            }
        }
        command.addAll(List.of("-jar", jar.toString()));
        ProcessBuilder builder = new ProcessBuilder(command)
                .redirectErrorStream(true)
                .redirectOutput(jar.getParent().getParent().resolve(log).toFile());
        var env = builder.environment();
        env.putAll(this.env);
        env.put("FLEDGE_MODEL_VERSION", "1.0.0");
        env.put("FLEDGE_RELEASE", "assistant");
        env.put("QUARKUS_HTTP_PORT", Integer.toString(port));
        env.put("FLEDGE_PUBLIC_PORT", "0");
        Process server = builder.start();
        // a benchmark stopped with Ctrl-C or kill must not leave its server running (and taking CPU from the next run)
        Runtime.getRuntime().addShutdownHook(new Thread(server::destroy, "stop-model-server"));
        return server;
    }

    /** Polls /q/health/ready until it answers 200. */
    static final class Readiness {
        private final HttpClient client;
        private final URI base;
        private final Process process;

        Readiness(HttpClient client, URI base, Process process) {
            this.client = client;
            this.base = base;
            this.process = process;
        }

        /** Milliseconds from {@code startNanos} to the first 200 of the readiness probe. */
        double await(Duration timeout, long startNanos) throws Exception {
            HttpRequest probe = HttpRequest.newBuilder(base.resolve("/q/health/ready"))
                    .timeout(Duration.ofSeconds(2))
                    .build();
            long deadline = System.nanoTime() + timeout.toNanos();
            while (System.nanoTime() < deadline) {
                if (!process.isAlive()) {
                    throw new IllegalStateException("model server exited with " + process.exitValue()
                            + "; see target/bench-server.log and target/bench-proxy.log");
                }
                try {
                    if (client.send(probe, HttpResponse.BodyHandlers.discarding())
                                    .statusCode()
                            == 200) {
                        return (System.nanoTime() - startNanos) / 1e6;
                    }
                } catch (IOException notListeningYet) {
                    // the port opens once the model is loaded
                }
                Thread.sleep(20);
            }
            throw new IllegalStateException("model server not ready within " + timeout);
        }
    }
}
