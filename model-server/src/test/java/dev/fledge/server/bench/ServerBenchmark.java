package dev.fledge.server.bench;

import dev.fledge.server.model.DjlDefaults;
import dev.fledge.server.model.ModelLoader;
import dev.fledge.server.model.TextModel;
import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.net.HttpURLConnection;
import java.net.ServerSocket;
import java.net.URI;
import java.net.URL;
import java.net.http.HttpClient;
import java.nio.charset.StandardCharsets;
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
 * in-process through a DJL predictor of the same model (same prompt, seeds, temperature, predictors and PyTorch
 * thread settings), in alternating rounds so that load from elsewhere on the machine hits both alike. Prints
 * throughput, p50/p99, their ratio, the CPU time per request of each side (the client, the server and the
 * in-process run share the same cores) and the server's cold start to ready.
 * <p>
 * The HTTP client is {@link HttpURLConnection}: HTTP/1.1 with keep-alive, one connection per client thread, the
 * way a load balancer or a service talks to a pod. (The JDK's {@code java.net.http.HttpClient} upgraded to h2c,
 * multiplexed both threads over one connection and spent 2.5–5 ms of CPU per request on these shared cores.)
 * Arguments: the quarkus-run.jar, the model directory, requests per thread per round (default 100), rounds (3),
 * warm-up requests per thread per mode (300).
 */
public final class ServerBenchmark {
    static final int THREADS = 2;
    static final int MAX_TOKENS = 16;
    static final String PROMPT = "the garden";
    static final double TEMPERATURE = 1.0;

    private final int perThread;
    private final int rounds;
    private final int warmUp;
    private final Path model;

    ServerBenchmark(Path model, int perThread, int rounds, int warmUp) {
        this.model = model;
        this.perThread = perThread;
        this.rounds = rounds;
        this.warmUp = warmUp;
    }

    public static void main(String[] args) throws Exception {
        Path jar = Path.of(args[0]).toAbsolutePath();
        Path model = Path.of(args[1]).toAbsolutePath();
        int perThread = args.length > 2 ? Integer.parseInt(args[2]) : 100;
        int rounds = args.length > 3 ? Integer.parseInt(args[3]) : 3;
        int warmUp = args.length > 4 ? Integer.parseInt(args[4]) : 300;
        new DjlDefaults().apply();
        new ServerBenchmark(model, perThread, rounds, warmUp).run(jar);
    }

    void run(Path jar) throws Exception {
        int port = freePort();
        long coldStart = System.nanoTime();
        Process server = new ServerProcess(jar, model, port).start();
        try {
            HttpClient probes = HttpClient.newBuilder().version(HttpClient.Version.HTTP_1_1)
                    .connectTimeout(Duration.ofSeconds(5)).build();
            URI base = URI.create("http://127.0.0.1:" + port);
            double readyMs = new ServerProcess.Readiness(probes, base, server).await(Duration.ofSeconds(120),
                    coldStart);
            URL completions = base.resolve("/v1/completions").toURL();
            CpuTime cpu = new CpuTime(server.toHandle());
            ExecutorService pool = Executors.newFixedThreadPool(THREADS);
            try (TextModel local = (TextModel) new ModelLoader(THREADS, 0, Duration.ofSeconds(30), 1).load(model)) {
                Workload http = seed -> post(completions, seed);
                Workload inProcess = seed -> local.complete(PROMPT, MAX_TOKENS, TEMPERATURE, seed, () -> { });
                measure(pool, http, warmUp, new ArrayList<>());
                measure(pool, inProcess, warmUp, new ArrayList<>());
                List<Long> httpLatencies = new ArrayList<>();
                List<Long> localLatencies = new ArrayList<>();
                double httpSeconds = 0;
                double localSeconds = 0;
                CpuTime.Sample httpCpu = CpuTime.Sample.zero();
                CpuTime.Sample localCpu = CpuTime.Sample.zero();
                for (int r = 0; r < rounds; r++) {
                    CpuTime.Sample before = cpu.now();
                    localSeconds += measure(pool, inProcess, perThread, localLatencies);
                    CpuTime.Sample between = cpu.now();
                    httpSeconds += measure(pool, http, perThread, httpLatencies);
                    localCpu = localCpu.plus(between.minus(before));
                    httpCpu = httpCpu.plus(cpu.now().minus(between));
                }
                report(LatencyStats.of("in-process (DJL)", localLatencies, localSeconds),
                        LatencyStats.of("HTTP /v1/completions", httpLatencies, httpSeconds), readyMs);
                reportCpu(localCpu, httpCpu, localLatencies.size());
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
        System.out.printf("model server benchmark: %d-token completions, %d client threads, %d rounds of %d requests"
                + " per thread after %d warm-up requests per thread, %s%n", MAX_TOKENS, THREADS, rounds, perThread,
                warmUp, model);
        System.out.println(LatencyStats.header());
        System.out.println(local.row());
        System.out.println(http.row());
        double ratio = http.throughput() / local.throughput();
        System.out.printf("HTTP / in-process throughput: %.2f (goal >= 0.80: %s)%n", ratio, ratio >= 0.8 ? "met" : "NOT met");
        System.out.printf("cold start to ready (java -jar to /q/health/ready 200): %.0f ms%n", readyMs);
    }

    /** CPU ms per request: where the time goes when both sides share the same cores. */
    private static void reportCpu(CpuTime.Sample local, CpuTime.Sample http, int requests) {
        System.out.println("CPU time per request (ms):");
        System.out.printf("  in-process: %.2f (this JVM; the server process meanwhile %.2f)%n",
                local.clientNanos() / 1e6 / requests, local.serverNanos() / 1e6 / requests);
        System.out.printf("  HTTP: server process %.2f + client (this JVM) %.2f = %.2f%n",
                http.serverNanos() / 1e6 / requests, http.clientNanos() / 1e6 / requests,
                (http.serverNanos() + http.clientNanos()) / 1e6 / requests);
        http.serverGroupsMs().forEach((group, ms) -> System.out.printf("    server %-38s %.2f%n", group, ms / requests));
    }

    /** One completion over HTTP/1.1 on a kept-alive connection; the body is read whole so the connection is reused. */
    private static String post(URL url, long seed) throws IOException {
        byte[] body = ("{\"prompt\": \"" + PROMPT + "\", \"max_tokens\": " + MAX_TOKENS + ", \"temperature\": "
                + TEMPERATURE + ", \"seed\": " + seed + "}").getBytes(StandardCharsets.UTF_8);
        HttpURLConnection connection = (HttpURLConnection) url.openConnection();
        connection.setRequestMethod("POST");
        connection.setDoOutput(true);
        connection.setFixedLengthStreamingMode(body.length);
        connection.setRequestProperty("Content-Type", "application/json");
        connection.setConnectTimeout(5_000);
        connection.setReadTimeout(30_000);
        try (OutputStream out = connection.getOutputStream()) {
            out.write(body);
        }
        int status = connection.getResponseCode();
        try (InputStream in = status == 200 ? connection.getInputStream() : connection.getErrorStream()) {
            String answer = in == null ? "" : new String(in.readAllBytes(), StandardCharsets.UTF_8);
            if (status != 200) {
                throw new IOException("HTTP " + status + ": " + answer);
            }
            return answer;
        }
    }

    /** One unit of work; the seed varies per call. */
    @FunctionalInterface
    interface Workload {
        Object call(long seed) throws Exception;
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
