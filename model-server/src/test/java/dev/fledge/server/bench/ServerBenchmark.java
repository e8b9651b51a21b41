package dev.fledge.server.bench;

import dev.fledge.server.model.DjlDefaults;
import dev.fledge.server.model.ModelLoader;
import dev.fledge.server.model.TextModel;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.net.InetSocketAddress;
import java.net.ServerSocket;
import java.net.URI;
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
 * thread settings), in alternating rounds so that load from elsewhere on the machine hits both alike (in-process
 * first in rounds 1, 3, ..., direct HTTP and then the proxy first in rounds 2, 4, ...). Prints throughput, p50/p99, their ratio (pooled, and each round's), the CPU time per
 * request of each side (the client, the server and the in-process run share the same cores), what the serving
 * path's own CPU leaves of the ratio ({@link ServingFloor}) and the server's cold start to ready.
 * <p>
 * The HTTP client is {@link KeepAliveClient}: HTTP/1.1 with keep-alive, one connection per client thread, the
 * way a load balancer or a service talks to a pod, and as little client CPU as possible, since the client shares
 * the cores with the server. (The JDK's {@code java.net.http.HttpClient} upgraded to h2c, multiplexed both threads
 * over one connection and spent 2.5–5 ms of CPU per request; {@code HttpURLConnection} 1.6–2.9 ms.)
 * Both ways are warmed up until the JIT compilers are quiet (see warmUp): the goal is steady-state throughput.
 * Arguments: the quarkus-run.jar, the model directory, requests per thread per round (default 200), rounds (4: the saturated pair alternates its order),
 * least warm-up requests per thread each way (300).
 */
public final class ServerBenchmark {
    static final int THREADS = 2;
    /**
     * Client threads of the saturated runs: more requests at once than the server has inference threads (2), fewer
     * than its queue (32), so that the cores, not the clients' round trips, bound the throughput.
     */
    static final int SATURATING_THREADS = 6;

    /** Issue 20's goal for the serving path: HTTP at least this share of the in-process throughput (0.80 before). */
    static final double MIN_HTTP_RATIO = 0.95;

    static final int MAX_TOKENS = 16;
    static final String PROMPT = "the garden";
    static final double TEMPERATURE = 1.0;
    static final int WARM_UP_CHUNK = 250;
    static final double QUIET_JIT_MS = 0.05;
    static final int QUIET_CYCLES = 3;
    static final Duration MAX_WARM_UP = Duration.ofSeconds(240);

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
        int perThread = args.length > 2 ? Integer.parseInt(args[2]) : 200;
        int rounds = args.length > 3 ? Integer.parseInt(args[3]) : 4;
        int warmUp = args.length > 4 ? Integer.parseInt(args[4]) : 300;
        new DjlDefaults().apply();
        new ServerBenchmark(model, perThread, rounds, warmUp).run(jar);
    }

    void run(Path jar) throws Exception {
        int port = freePort();
        int proxyPort = freePort();
        long coldStart = System.nanoTime();
        Process server = ServerProcess.djl(jar, model, port).start();
        Process proxy = ServerProcess.proxy(jar, port, proxyPort).start();
        try {
            HttpClient probes = HttpClient.newBuilder()
                    .version(HttpClient.Version.HTTP_1_1)
                    .connectTimeout(Duration.ofSeconds(5))
                    .build();
            double readyMs = new ServerProcess.Readiness(probes, URI.create("http://127.0.0.1:" + port), server)
                    .await(Duration.ofSeconds(120), coldStart);
            new ServerProcess.Readiness(probes, URI.create("http://127.0.0.1:" + proxyPort), proxy)
                    .await(Duration.ofSeconds(60), coldStart);
            List<KeepAliveClient> connections = Collections.synchronizedList(new ArrayList<>());
            ThreadLocal<KeepAliveClient> clients = ThreadLocal.withInitial(() -> connect(port, connections));
            ThreadLocal<KeepAliveClient> proxyClients = ThreadLocal.withInitial(() -> connect(proxyPort, connections));
            CpuTime cpu = new CpuTime(server.toHandle());
            CpuTime proxyCpu = new CpuTime(proxy.toHandle());
            ExecutorService pool = Executors.newFixedThreadPool(THREADS);
            ExecutorService saturating = Executors.newFixedThreadPool(SATURATING_THREADS);
            try (TextModel local = (TextModel) new ModelLoader(THREADS, 0, Duration.ofSeconds(30), 1).load(model)) {
                Workload http = seed -> post(clients, seed);
                Workload proxied = seed -> post(proxyClients, seed);
                Workload inProcess = seed -> local.complete(PROMPT, MAX_TOKENS, TEMPERATURE, seed, () -> {});
                WarmUp warmedUp = warmUp(
                        pool,
                        saturating,
                        List.of(
                                new Side(inProcess, ProcessHandle.current(), false),
                                new Side(http, server.toHandle(), true),
                                new Side(proxied, proxy.toHandle(), true)));
                List<Long> httpLatencies = new ArrayList<>();
                List<Long> localLatencies = new ArrayList<>();
                List<Long> proxyLatencies = new ArrayList<>();
                double httpSeconds = 0;
                double localSeconds = 0;
                double proxySeconds = 0;
                CpuTime.Sample httpCpu = CpuTime.Sample.zero();
                CpuTime.Sample localCpu = CpuTime.Sample.zero();
                CpuTime.Sample proxyOwnCpu = CpuTime.Sample.zero();
                SaturatedPair saturated = new SaturatedPair();
                List<Double> roundRatios = new ArrayList<>();
                for (int r = 0; r < rounds; r++) {
                    // in-process first in rounds 1, 3, ...; direct HTTP (with the proxy, always right after it) first
                    // in rounds 2, 4, ...: neither side always runs right after the saturated runs of the round before
                    boolean inProcessFirst = r % 2 == 0;
                    double inProcessSeconds = 0;
                    if (inProcessFirst) {
                        CpuTime.Sample before = cpu.now();
                        inProcessSeconds = measure(pool, inProcess, perThread, localLatencies);
                        localCpu = localCpu.plus(cpu.now().minus(before));
                    }
                    CpuTime.Sample httpBefore = cpu.now();
                    double direct = measure(pool, http, perThread, httpLatencies);
                    httpCpu = httpCpu.plus(cpu.now().minus(httpBefore));
                    CpuTime.Sample proxyBefore = proxyCpu.now();
                    proxySeconds += measure(pool, proxied, perThread, proxyLatencies);
                    proxyOwnCpu = proxyOwnCpu.plus(proxyCpu.now().minus(proxyBefore));
                    if (!inProcessFirst) {
                        CpuTime.Sample before = cpu.now();
                        inProcessSeconds = measure(pool, inProcess, perThread, localLatencies);
                        localCpu = localCpu.plus(cpu.now().minus(before));
                    }
                    localSeconds += inProcessSeconds;
                    httpSeconds += direct;
                    roundRatios.add(inProcessSeconds / direct);
                    saturated.round(
                            r,
                            (work, latencies) -> measure(saturating, SATURATING_THREADS, work, perThread, latencies),
                            http,
                            proxied,
                            cpu,
                            proxyCpu);
                }
                LatencyStats direct = LatencyStats.of("HTTP /v1/completions", httpLatencies, httpSeconds);
                report(LatencyStats.of("in-process (DJL)", localLatencies, localSeconds), direct, readyMs);
                System.out.println(ServingFloor.describeRounds(roundRatios));
                double measuredRatio = localSeconds / httpSeconds;
                ProxyOverhead.report(
                        direct,
                        LatencyStats.of("HTTP via proxy mode", proxyLatencies, proxySeconds),
                        LatencyStats.of(
                                "HTTP, " + SATURATING_THREADS + " clients",
                                saturated.direct.latencies,
                                saturated.direct.seconds),
                        LatencyStats.of(
                                "via proxy, " + SATURATING_THREADS + " clients",
                                saturated.proxied.latencies,
                                saturated.proxied.seconds),
                        proxyOwnCpu.serverNanos() / 1e6 / proxyLatencies.size());
                proxyOwnCpu
                        .serverGroupsMs()
                        .forEach((group, ms) ->
                                System.out.printf("    proxy %-44s %.2f%n", group, ms / proxyLatencies.size()));
                System.out.println(saturated.describeRounds());
                saturated.reportCpu();
                System.out.println(warmedUp.describe());
                reportCpu(localCpu, httpCpu, localLatencies.size());
                System.out.println(ServingFloor.of(localCpu, httpCpu, localLatencies.size(), MIN_HTTP_RATIO)
                        .describe(measuredRatio));
            } finally {
                pool.shutdownNow();
                saturating.shutdownNow();
                for (KeepAliveClient connection : connections) {
                    connection.close();
                }
            }
        } finally {
            proxy.destroy();
            server.destroy();
            proxy.waitFor();
            server.waitFor();
        }
    }

    private void report(LatencyStats local, LatencyStats http, double readyMs) {
        System.out.println();
        System.out.printf(
                "model server benchmark: %d-token completions, %d client threads, %d rounds of %d requests"
                        + " per thread each way, %s%n",
                MAX_TOKENS, THREADS, rounds, perThread, model);
        System.out.println(LatencyStats.header());
        System.out.println(local.row());
        System.out.println(http.row());
        double ratio = http.throughput() / local.throughput();
        System.out.printf(
                "HTTP / in-process throughput: %.3f (goal >= %.2f: %s)%n",
                ratio, MIN_HTTP_RATIO, ratio >= MIN_HTTP_RATIO ? "MET" : "NOT MET");
        System.out.printf("cold start to ready (java -jar to /q/health/ready 200): %.0f ms%n", readyMs);
    }

    /** CPU ms per request: where the time goes when both sides share the same cores. */
    private static void reportCpu(CpuTime.Sample local, CpuTime.Sample http, int requests) {
        System.out.println("CPU time per request (ms):");
        System.out.printf(
                "  in-process: %.2f (this JVM; the server process meanwhile %.2f)%n",
                local.clientNanos() / 1e6 / requests, local.serverNanos() / 1e6 / requests);
        System.out.printf(
                "  HTTP: server process %.2f + client (this JVM) %.2f = %.2f%n",
                http.serverNanos() / 1e6 / requests,
                http.clientNanos() / 1e6 / requests,
                (http.serverNanos() + http.clientNanos()) / 1e6 / requests);
        http.serverGroupsMs()
                .forEach((group, ms) -> System.out.printf("    server %-44s %.2f%n", group, ms / requests));
    }

    /** One completion over the calling thread's kept-alive connection; anything but a 200 with choices fails. */
    private static String post(ThreadLocal<KeepAliveClient> clients, long seed) throws IOException {
        byte[] body = ("{\"prompt\": \"" + PROMPT + "\", \"max_tokens\": " + MAX_TOKENS + ", \"temperature\": "
                        + TEMPERATURE + ", \"seed\": " + seed + "}")
                .getBytes(StandardCharsets.UTF_8);
        KeepAliveClient.Response response = clients.get().postJson("/v1/completions", body);
        String answer = response.text();
        if (response.status() != 200 || !answer.contains("\"choices\"")) {
            throw new IOException("HTTP " + response.status() + ": " + answer);
        }
        return answer;
    }

    /**
     * Warms up both ways in the pattern that is measured (alternating chunks of {@link #WARM_UP_CHUNK} requests per
     * thread, so each side also sits idle while the other runs; the HTTP sides then as many again saturated) until
     * the JIT compilers are quiet, since the goal is
     * steady-state throughput: at least {@code warmUp} requests per thread each way, until {@link #QUIET_CYCLES}
     * cycles in a row cost less than {@link #QUIET_JIT_MS} of JIT CPU per request in this JVM (in-process) and in
     * the server (HTTP), or {@link #MAX_WARM_UP} has passed. C2 compiles a method after thousands of calls, so the
     * server's methods that run once per request are still being compiled for the first time after 5000–10000
     * requests, with lulls between.
     */
    private WarmUp warmUp(ExecutorService pool, ExecutorService saturating, List<Side> sides) throws Exception {
        long deadline = System.nanoTime() + MAX_WARM_UP.toNanos();
        int perThreadDone = 0;
        int quietInARow = 0;
        double[] jit = new double[sides.size()];
        boolean quiet;
        do {
            quiet = true;
            for (int i = 0; i < sides.size(); i++) {
                jit[i] = jitPerRequest(pool, saturating, sides.get(i));
                quiet &= jit[i] < QUIET_JIT_MS;
            }
            perThreadDone += WARM_UP_CHUNK;
            quietInARow = quiet ? quietInARow + 1 : 0;
        } while ((perThreadDone < warmUp || quietInARow < QUIET_CYCLES) && System.nanoTime() < deadline);
        int saturatedPerCycle = WARM_UP_CHUNK * THREADS / SATURATING_THREADS * SATURATING_THREADS;
        int cycles = perThreadDone / WARM_UP_CHUNK;
        return new WarmUp(perThreadDone * THREADS, cycles * saturatedPerCycle, jit, quietInARow >= QUIET_CYCLES);
    }

    /**
     * One way of serving a completion, the process whose JIT compiles for it, and whether it is also measured
     * saturated: then its warm-up chunks are saturated too, as more connections and a full queue take code paths
     * (the proxy's connection pool, the server's queue) that two clients do not.
     */
    record Side(Workload work, ProcessHandle compiling, boolean saturated) {}

    private static double jitPerRequest(ExecutorService pool, ExecutorService saturating, Side side) throws Exception {
        double before = CpuTime.jitMs(side.compiling());
        measure(pool, side.work(), WARM_UP_CHUNK, new ArrayList<>());
        int requests = WARM_UP_CHUNK * THREADS;
        if (side.saturated()) {
            int perThread = WARM_UP_CHUNK * THREADS / SATURATING_THREADS;
            measure(saturating, SATURATING_THREADS, side.work(), perThread, new ArrayList<>());
            requests += perThread * SATURATING_THREADS;
        }
        return (CpuTime.jitMs(side.compiling()) - before) / requests;
    }

    /** How the warm-up ended: requests sent each way, the JIT CPU per request of the last cycle, whether quiet. */
    record WarmUp(int requestsEachWay, int saturatedEachHttpWay, double[] jitMs, boolean quiet) {
        String describe() {
            return String.format(
                    "warm-up: %d requests each way with 2 clients, alternating, and %d more saturated each HTTP way;"
                            + " JIT CPU per request in the last cycle:"
                            + " this JVM (in-process) %.2f ms, the server (HTTP) %.2f ms, the proxy %.2f ms%s",
                    requestsEachWay,
                    saturatedEachHttpWay,
                    jitMs[0],
                    jitMs[1],
                    jitMs[2],
                    quiet
                            ? ""
                            : " (NOT quiet for " + QUIET_CYCLES + " cycles in a row within " + MAX_WARM_UP.toSeconds()
                                    + " s)");
        }
    }

    /** One unit of work; the seed varies per call. */
    @FunctionalInterface
    interface Workload {
        Object call(long seed) throws Exception;
    }

    /** Runs perThreadCount calls on each of the {@link #THREADS} threads; returns the wall time in seconds. */
    private static double measure(ExecutorService pool, Workload work, int perThreadCount, List<Long> latencies)
            throws Exception {
        return measure(pool, THREADS, work, perThreadCount, latencies);
    }

    /** Runs perThreadCount calls on each of {@code threads} threads of {@code pool}; the wall time in seconds. */
    private static double measure(
            ExecutorService pool, int threads, Workload work, int perThreadCount, List<Long> latencies)
            throws Exception {
        List<Long> shared = Collections.synchronizedList(latencies);
        List<Callable<Void>> tasks = new ArrayList<>();
        for (int t = 0; t < threads; t++) {
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

    private static KeepAliveClient connect(int port, List<KeepAliveClient> opened) {
        try {
            KeepAliveClient client = new KeepAliveClient(new InetSocketAddress("127.0.0.1", port));
            opened.add(client);
            return client;
        } catch (IOException e) {
            throw new UncheckedIOException("cannot connect to the model server on port " + port, e);
        }
    }

    private static int freePort() throws IOException {
        try (ServerSocket socket = new ServerSocket(0)) {
            return socket.getLocalPort();
        }
    }
}
