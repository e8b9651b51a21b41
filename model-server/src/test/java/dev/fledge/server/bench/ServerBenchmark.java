package dev.fledge.server.bench;

import dev.fledge.server.model.DjlDefaults;
import dev.fledge.server.model.ModelLoader;
import dev.fledge.server.model.TextModel;
import java.io.IOException;
import java.net.ServerSocket;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Collections;
import java.util.List;
import java.util.concurrent.Callable;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;

/**
 * {@code make bench-server}: 16-token completions with 2 client threads, over HTTP through the packaged server and
 * in-process through a DJL predictor of the same model, in alternating rounds so that load from elsewhere on the
 * machine hits both alike. Prints throughput, p50/p99, their ratio and the server's cold start to ready.
 * Arguments: the quarkus-run.jar, the model directory, requests per thread per round (default 50), rounds (3).
 */
public final class ServerBenchmark {
    static final int THREADS = 2;
    static final int MAX_TOKENS = 16;

    private final int perThread;
    private final int rounds;
    private final Path model;

    ServerBenchmark(Path model, int perThread, int rounds) {
        this.model = model;
        this.perThread = perThread;
        this.rounds = rounds;
    }

    public static void main(String[] args) throws Exception {
        Path jar = Path.of(args[0]).toAbsolutePath();
        Path model = Path.of(args[1]).toAbsolutePath();
        int perThread = args.length > 2 ? Integer.parseInt(args[2]) : 50;
        int rounds = args.length > 3 ? Integer.parseInt(args[3]) : 3;
        new DjlDefaults().apply();
        new ServerBenchmark(model, perThread, rounds).run(jar);
    }

    void run(Path jar) throws Exception {
        int port = freePort();
        long coldStart = System.nanoTime();
        Process server = new ServerProcess(jar, model, port).start();
        try {
            HttpClient client = HttpClient.newBuilder().connectTimeout(Duration.ofSeconds(5)).build();
            URI base = URI.create("http://127.0.0.1:" + port);
            double readyMs = new ServerProcess.Readiness(client, base, server).await(Duration.ofSeconds(120),
                    coldStart);
            ExecutorService pool = Executors.newFixedThreadPool(THREADS);
            try (TextModel local = (TextModel) new ModelLoader(THREADS, 0, Duration.ofSeconds(30), 1).load(model)) {
                Workload http = seed -> post(client, base, seed);
                Workload inProcess = seed -> local.complete("the garden", MAX_TOKENS, 1.0, seed, () -> { });
                measure(pool, http, 20);
                measure(pool, inProcess, 20);
                List<Long> httpLatencies = new ArrayList<>();
                List<Long> localLatencies = new ArrayList<>();
                double httpSeconds = 0;
                double localSeconds = 0;
                for (int r = 0; r < rounds; r++) {
                    localSeconds += measure(pool, inProcess, perThread, localLatencies);
                    httpSeconds += measure(pool, http, perThread, httpLatencies);
                }
                report(LatencyStats.of("in-process (DJL)", localLatencies, localSeconds),
                        LatencyStats.of("HTTP /v1/completions", httpLatencies, httpSeconds), readyMs);
            } finally {
                pool.shutdownNow();
            }
        } finally {
            server.destroy();
            server.waitFor();
        }
    }

    private void report(LatencyStats local, LatencyStats http, double readyMs) {
        System.out.println();
        System.out.printf("model server benchmark: %d-token completions, %d client threads, %d rounds, %s%n",
                MAX_TOKENS, THREADS, rounds, model);
        System.out.println(LatencyStats.header());
        System.out.println(local.row());
        System.out.println(http.row());
        double ratio = http.throughput() / local.throughput();
        System.out.printf("HTTP / in-process throughput: %.2f (goal >= 0.80: %s)%n", ratio, ratio >= 0.8 ? "met" : "NOT met");
        System.out.printf("cold start to ready (java -jar to /q/health/ready 200): %.0f ms%n", readyMs);
    }

    private static String post(HttpClient client, URI base, long seed) throws IOException, InterruptedException {
        HttpRequest request = HttpRequest.newBuilder(base.resolve("/v1/completions"))
                .header("Content-Type", "application/json").timeout(Duration.ofSeconds(30))
                .POST(HttpRequest.BodyPublishers.ofString("{\"prompt\": \"the garden\", \"max_tokens\": " + MAX_TOKENS
                        + ", \"seed\": " + seed + "}")).build();
        HttpResponse<String> response = client.send(request, HttpResponse.BodyHandlers.ofString());
        if (response.statusCode() != 200) {
            throw new IOException("HTTP " + response.statusCode() + ": " + response.body());
        }
        return response.body();
    }

    /** One unit of work; the seed varies per call. */
    @FunctionalInterface
    interface Workload {
        Object call(long seed) throws Exception;
    }

    private void measure(ExecutorService pool, Workload work, int perThreadCount) throws Exception {
        measure(pool, work, perThreadCount, new ArrayList<>());
    }

    /** Runs perThreadCount calls on each of the threads; returns the wall time in seconds. */
    private static double measure(ExecutorService pool, Workload work, int perThreadCount, List<Long> latencies)
            throws Exception {
        List<Long> shared = Collections.synchronizedList(latencies);
        List<Callable<Void>> tasks = new ArrayList<>();
        for (int t = 0; t < THREADS; t++) {
            int thread = t;
            tasks.add(() -> {
                for (int i = 0; i < perThreadCount; i++) {
                    long start = System.nanoTime();
                    work.call(thread * 100_000L + i);
                    shared.add(System.nanoTime() - start);
                }
                return null;
            });
        }
        long start = System.nanoTime();
        for (Future<Void> f : pool.invokeAll(tasks)) {
            f.get();
        }
        return (System.nanoTime() - start) / 1e9;
    }

    private static int freePort() throws IOException {
        try (ServerSocket socket = new ServerSocket(0)) {
            return socket.getLocalPort();
        }
    }
}
