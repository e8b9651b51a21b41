package dev.fledge.e2e.bench;

import dev.fledge.api.ModelRelease;
import dev.fledge.core.rollout.Plan;
import dev.fledge.core.rollout.PlanResolver;
import dev.fledge.e2e.apiserver.ClusterResources;
import dev.fledge.e2e.apiserver.RepoFiles;
import dev.fledge.e2e.local.LocalPrometheus;
import dev.fledge.testsupport.DeploymentReadiness;
import dev.fledge.testsupport.GatewaySimulator;
import io.fabric8.kubernetes.api.model.ObjectMetaBuilder;
import io.fabric8.kubernetes.client.KubernetesClient;
import io.fabric8.kubernetes.client.dsl.base.PatchContext;
import io.fabric8.kubernetes.client.dsl.base.PatchType;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.stream.IntStream;

/**
 * {@code make bench-operator}: the operator at scale. For each N it starts the production operator jar against a
 * real kube-apiserver, creates N ModelReleases (first release, v1), waits for all to be promoted, then moves all of
 * them to v2 at once (a GitOps sync) and waits again. Printed per N: verdict-to-route latency p50/p99 over every
 * gated stage change of the v2 rollout, time until all N were promoted, the operator's CPU seconds and peak RSS.
 */
public final class OperatorBenchmark {
    private static final Duration TIMEOUT = Duration.ofMinutes(20);
    /** The processes beside the operator whose CPU the rollout is printed with (their command names). */
    private static final String[] SHARING = {"kube-apiserver", "etcd", "prometheus"};

    private OperatorBenchmark() {}

    public static void main(String[] args) throws Exception {
        List<Integer> sizes = args.length == 0
                ? List.of(100, 1000)
                : Arrays.stream(args).map(Integer::valueOf).toList();
        Path repo = RepoFiles.repo();
        Path work = repo.resolve("e2e/target/bench-operator");
        Files.createDirectories(work);
        List<Row> rows = new ArrayList<>();
        try (BenchApiServer server = new BenchApiServer(work.resolve("kube"));
                LocalPrometheus prometheus = new LocalPrometheus(work.resolve("prometheus"))) {
            KubernetesClient client = server.client;
            Path kubeconfig = work.resolve("kubeconfig.yaml");
            // the operator as in a cluster: a ServiceAccount's token, not the harness's client certificate
            Files.writeString(kubeconfig, server.serviceAccountKubeConfig("fledge-system", "fledge"));
            ClusterResources resources = new ClusterResources(client);
            resources.installCrds(List.of(RepoFiles.modelReleaseCrd()));
            resources.installCrds(RepoFiles.gatewayApiCrds());
            for (int n : sizes) {
                rows.add(run(n, client, repo, work.resolve("n" + n), kubeconfig, prometheus.url(), resources));
                Row.print(rows);
            }
        }
        System.out.println();
        System.out.println("API server: real kube-apiserver " + BenchApiServer.VERSION
                + " + etcd (kube-api-test, binaries from make kube-binaries, service range "
                + BenchApiServer.SERVICE_RANGE
                + ") on this machine ("
                + Runtime.getRuntime().availableProcessors()
                + " cores, shared with the operator, Prometheus and this harness).");
        System.out.println("Operator: operator/target/quarkus-app/quarkus-run.jar with "
                + String.join(" ", OperatorProcess.jvm(repo))
                + ", MALLOC_ARENA_MAX=" + OperatorProcess.chartEnv(repo, "MALLOC_ARENA_MAX")
                + " (as in the chart's container: its 512Mi limit, JAVA_TOOL_OPTIONS and MALLOC_ARENA_MAX). Releases: "
                + BenchReleases.HOLD.toSeconds()
                + " s per stage and step, steps " + BenchReleases.STEPS + ", analysis every "
                + BenchReleases.INTERVAL.toSeconds()
                + " s, one metric gate through a real Prometheus.");
        System.out.println("Goals at N=1000: p99 < 1000 ms, peak RSS < 300 MiB.");
        System.exit(0);
    }

    private static Row run(
            int n,
            KubernetesClient client,
            Path repo,
            Path work,
            Path kubeconfig,
            String prometheus,
            ClusterResources resources)
            throws Exception {
        String ns = "bench-" + n;
        resources.ensureNamespace(ns);
        client.resource(BenchReleases.gateway(ns)).createOr(existing -> existing.update());
        Files.createDirectories(work);
        log("N=%d: starting the operator (namespace %s)", n, ns);
        try (RolloutRecorder recorder = new RolloutRecorder(client, ns);
                DeploymentReadiness kubelet = new DeploymentReadiness(client, ns);
                // the Gateway controller: accepts each route write (the operator waits for that before it drains)
                GatewaySimulator gateway = GatewaySimulator.start(client, Set.of(ns));
                OperatorProcess operator = new OperatorProcess(repo, work, kubeconfig, ns, prometheus)) {
            double startupCpu = operator.cpuSeconds();
            double idleRss = operator.rssMiB();
            long t0 = System.currentTimeMillis();
            forEach(
                    n,
                    i -> client.resource(BenchReleases.release(ns, BenchReleases.name(i), "1.0.0"))
                            .create());
            double firstSeconds = awaitPromoted(recorder, n, "1.0.0", t0, operator);
            log("N=%d: all %d first releases promoted after %.1f s", n, n, firstSeconds);

            recorder.clear();
            Scrape operatorBefore = new Scrape(operator.metrics());
            Scrape apiBefore = new Scrape(client.raw("/metrics"));
            double cpuBefore = operator.cpuSeconds();
            MachineCpu machineBefore = MachineCpu.now(SHARING);
            long t1 = System.currentTimeMillis();
            String patch =
                    "{\"spec\":{\"model\":{\"version\":\"2.0.0\",\"uri\":\"" + BenchReleases.uri("2.0.0") + "\"}}}";
            forEach(
                    n,
                    // by name, with no read first (withName(..).patch GETs the release: a request per release that
                    // a sync's patch does not make, counted as the operator's before)
                    i -> client.resources(ModelRelease.class)
                            .resource(named(ns, BenchReleases.name(i)))
                            .patch(PatchContext.of(PatchType.JSON_MERGE), patch));
            double rolloutSeconds = awaitPromoted(recorder, n, "2.0.0", t1, operator);
            log("N=%d: all %d releases moved to 2.0.0 and promoted after %.1f s", n, n, rolloutSeconds);
            Plan plan = new PlanResolver(BenchReleases.INTERVAL)
                    .resolve(BenchReleases.release(ns, "x", "2.0.0").getSpec());
            Latencies latencies = Latencies.of(recorder, plan);
            latencies.writeCsv(work.resolve("latencies.csv"));
            recorder.writeTimeline(work.resolve("timeline.csv"));
            // read before the class histogram below, whose full GC would count
            double cpuRollout = operator.cpuSeconds() - cpuBefore;
            String machine = MachineCpu.now(SHARING).since(machineBefore);
            double cpuAll = operator.cpuSeconds();
            double peakRss = operator.peakRssMiB();
            String breakdown = breakdown(
                            operatorBefore,
                            new Scrape(operator.metrics()),
                            apiBefore,
                            new Scrape(client.raw("/metrics")),
                            latencies.count())
                    + String.format("%n")
                    + latencies.beyondTheVerdict()
                    + recorder.statusWrites(latencies.count())
                    + String.format("%n  CPU of the others on this machine during the rollout: %s", machine)
                    + String.format("%n")
                    + operator.liveHeap(10)
                    + String.format("%n")
                    + deletedReleasesForgotten(client, ns, operator, Math.min(10, n));
            return new Row(
                    n,
                    firstSeconds,
                    rolloutSeconds,
                    latencies,
                    cpuRollout,
                    cpuAll,
                    startupCpu,
                    peakRss,
                    idleRss,
                    breakdown);
        }
    }

    /**
     * Deletes {@code k} releases and waits until the operator (its jar, as shipped) no longer exports their series: a
     * deletion reaches the running operator, not only the tests' plain JOSDK.
     */
    private static String deletedReleasesForgotten(KubernetesClient client, String ns, OperatorProcess operator, int k)
            throws Exception {
        Set<String> names = new java.util.HashSet<>();
        for (int i = 0; i < k; i++) {
            names.add(BenchReleases.name(i));
            client.resources(ModelRelease.class)
                    .inNamespace(ns)
                    .withName(BenchReleases.name(i))
                    .delete();
        }
        long start = System.currentTimeMillis();
        long left = -1;
        while (System.currentTimeMillis() - start < 60_000) {
            String text = operator.metrics();
            left = names.stream()
                    .filter(name -> text.contains("release=\"" + name + "\""))
                    .count();
            if (left == 0) {
                return String.format(
                        "  %d releases deleted: the operator exported none of their series after %.1f s",
                        k, (System.currentTimeMillis() - start) / 1000.0);
            }
            Thread.sleep(500);
        }
        return String.format("  %d releases deleted: %d still exported after 60 s (NOT forgotten)", k, left);
    }

    /**
     * Requests of this harness, not of the operator (verb, resource, subresource): the readiness stand-in's and the
     * Gateway simulator's status writes, and the sync's edits of the releases (the operator writes releases by apply).
     */
    static final Set<String> HARNESS_REQUESTS =
            Set.of("PUT deployments status", "PUT httproutes status", "PATCH modelreleases ");

    /** Where the v2 rollout's time went: the operator's reconcile parts and the API requests it caused. */
    private static String breakdown(
            Scrape opBefore, Scrape opAfter, Scrape apiBefore, Scrape apiAfter, int transitions) {
        var count = Scrape.delta(
                opBefore.sumBy("fledge_reconcile_seconds_count", "part"),
                opAfter.sumBy("fledge_reconcile_seconds_count", "part"));
        var sum = Scrape.delta(
                opBefore.sumBy("fledge_reconcile_seconds_sum", "part"),
                opAfter.sumBy("fledge_reconcile_seconds_sum", "part"));
        var requests = Scrape.delta(
                apiBefore.sumBy("apiserver_request_total", "verb", "resource"),
                apiAfter.sumBy("apiserver_request_total", "verb", "resource"));
        var bySubresource = Scrape.delta(
                apiBefore.sumBy("apiserver_request_total", "verb", "resource", "subresource"),
                apiAfter.sumBy("apiserver_request_total", "verb", "resource", "subresource"));
        double reconciles = count.getOrDefault("total", 0.0);
        StringBuilder out = new StringBuilder();
        out.append(String.format(
                "  reconciles %.0f; mean ms per reconcile: total %.1f, gates %.1f (%.0f runs), apply %.1f%n",
                reconciles,
                mean(sum, count, "total"),
                mean(sum, count, "gates"),
                count.getOrDefault("gates", 0.0),
                mean(sum, count, "apply")));
        double all = requests.values().stream().mapToDouble(Double::doubleValue).sum();
        out.append(String.format(
                "  API requests %.0f (%.1f per reconcile, all clients incl. this harness); top:",
                all, reconciles == 0 ? 0 : all / reconciles));
        requests.entrySet().stream()
                .sorted((a, b) -> Double.compare(b.getValue(), a.getValue()))
                .limit(8)
                .forEach(e -> out.append(String.format(" %s %.0f,", e.getKey(), e.getValue())));
        double harness = HARNESS_REQUESTS.stream()
                .mapToDouble(k -> bySubresource.getOrDefault(k, 0.0))
                .sum();
        out.append(String.format(
                "%n  API requests per transition: %.1f all clients, %.1f the operator's (%.0f of %.0f; without"
                        + " the harness's readiness and Gateway status writes and the sync's edits). Aim: <= 2",
                transitions == 0 ? 0 : all / transitions,
                transitions == 0 ? 0 : (all - harness) / transitions,
                all - harness,
                all));
        // watchers the API server closed for reading too slowly (its buffer for them full): their clients watch again
        // from where they were and get what they missed late, in one batch
        var terminated = Scrape.delta(
                apiBefore.sumBy("apiserver_terminated_watchers_total", "resource"),
                apiAfter.sumBy("apiserver_terminated_watchers_total", "resource"));
        out.append(String.format("%n  watchers the API server closed as unresponsive during the rollout:"));
        if (terminated.values().stream().allMatch(v -> v == 0)) {
            out.append(" none");
        }
        terminated.entrySet().stream()
                .filter(e -> e.getValue() > 0)
                .sorted(Map.Entry.comparingByKey())
                .forEach(e -> out.append(String.format(" %s %.0f;", e.getKey(), e.getValue())));
        // the Events, written off the reconcile threads (EventQueue): those still queued at the end are in neither
        // count
        var events = Scrape.delta(
                opBefore.sumBy("fledge_events_total", "result"), opAfter.sumBy("fledge_events_total", "result"));
        out.append(String.format(
                "%n  Kubernetes Events during the rollout: written %.0f, failed %.0f, dropped %.0f (queue full)",
                events.getOrDefault("written", 0.0),
                events.getOrDefault("failed", 0.0),
                events.getOrDefault("dropped", 0.0)));
        // the JVM's own pauses (Micrometer's JVM binder): each stops every reconcile, a full collection longest
        var pauses = Scrape.delta(
                opBefore.sumBy("jvm_gc_pause_seconds_count", "action"),
                opAfter.sumBy("jvm_gc_pause_seconds_count", "action"));
        var paused = Scrape.delta(
                opBefore.sumBy("jvm_gc_pause_seconds_sum", "action"),
                opAfter.sumBy("jvm_gc_pause_seconds_sum", "action"));
        out.append(String.format("%n  GC pauses during the rollout:"));
        pauses.keySet().stream()
                .sorted()
                .forEach(action -> out.append(String.format(
                        " %s %.0f (%.1f s, mean %.0f ms);",
                        action, pauses.get(action), paused.getOrDefault(action, 0.0), mean(paused, pauses, action))));
        return out.toString();
    }

    private static double mean(Map<String, Double> sum, Map<String, Double> count, String part) {
        double c = count.getOrDefault(part, 0.0);
        return c == 0 ? 0 : 1000 * sum.getOrDefault(part, 0.0) / c;
    }

    private static double awaitPromoted(
            RolloutRecorder recorder, int n, String version, long since, OperatorProcess operator)
            throws InterruptedException {
        long deadline = since + TIMEOUT.toMillis();
        long lastLog = 0;
        while (System.currentTimeMillis() < deadline) {
            long promoted = recorder.count(RolloutRecorder.promoted(version));
            if (promoted >= n) {
                return (System.currentTimeMillis() - since) / 1000.0;
            }
            recorder.anyEnded().ifPresent(mr -> {
                throw new IllegalStateException(
                        mr.getMetadata().getName() + " ended " + mr.getStatus().getPhase() + " instead of promoting: "
                                + mr.getStatus().getMessage());
            });
            if (System.currentTimeMillis() - lastLog > 15_000) {
                lastLog = System.currentTimeMillis();
                log(
                        "  %d/%d on %s promoted, operator RSS %.0f MiB, CPU %.1f s",
                        promoted, n, version, operator.rssMiB(), operator.cpuSeconds());
            }
            Thread.sleep(200);
        }
        throw new IllegalStateException(
                "not all " + n + " releases were promoted to " + version + " within " + TIMEOUT);
    }

    private static ModelRelease named(String namespace, String name) {
        ModelRelease mr = new ModelRelease();
        mr.setMetadata(
                new ObjectMetaBuilder().withNamespace(namespace).withName(name).build());
        return mr;
    }

    private interface Task {
        void run(int i) throws Exception;
    }

    /** Runs {@code task} for 0..n-1 on a few threads, as kubectl apply of many files or a GitOps sync would. */
    private static void forEach(int n, Task task) throws Exception {
        ExecutorService pool = Executors.newFixedThreadPool(4);
        try {
            List<Future<Object>> futures = IntStream.range(0, n)
                    .mapToObj(i -> pool.submit(() -> {
                        task.run(i);
                        return null;
                    }))
                    .toList();
            for (Future<Object> f : futures) {
                f.get();
            }
        } finally {
            pool.shutdown();
        }
    }

    static void log(String format, Object... args) {
        System.out.printf("[bench] " + format + "%n", args);
    }

    /** One line of the table. */
    record Row(
            int n,
            double firstSeconds,
            double rolloutSeconds,
            Latencies latencies,
            double rolloutCpu,
            double totalCpu,
            double startupCpu,
            double peakRss,
            double idleRss,
            String breakdown) {
        /** The peak above the operator's RSS before it had any release, per 1000 releases. */
        double mibPer1000() {
            return (peakRss - idleRss) * 1000 / n;
        }

        static void print(List<Row> rows) {
            System.out.println();
            System.out.printf(
                    "%6s | %11s | %12s | %11s | %8s | %8s | %8s | %12s | %10s | %9s%n",
                    "N",
                    "v1 promoted",
                    "v2 promoted",
                    "transitions",
                    "p50 ms",
                    "p99 ms",
                    "max ms",
                    "CPU s (v2)",
                    "CPU s all",
                    "peak RSS");
            for (Row r : rows) {
                System.out.printf(
                        "%6d | %9.1f s | %10.1f s | %11s | %8d | %8d | %8d | %12.1f | %10.1f | %5.0f MiB%n",
                        r.n,
                        r.firstSeconds,
                        r.rolloutSeconds,
                        r.latencies.count()
                                + (r.latencies.unmatched() > 0 ? " (" + r.latencies.unmatched() + "?)" : ""),
                        r.latencies.percentile(0.5),
                        r.latencies.percentile(0.99),
                        r.latencies.percentile(1.0),
                        r.rolloutCpu,
                        r.totalCpu,
                        r.peakRss);
            }
            System.out.printf(
                    "(least possible time for one rollout: %d s; CPU s all includes the operator's start-up)%n",
                    BenchReleases.MINIMUM.toSeconds());
            for (Row r : rows) {
                System.out.printf("N=%d, where the v2 rollout's time went:%n%s%n", r.n, r.breakdown);
                System.out.printf(
                        "  memory: %.0f MiB RSS before the first release, peak %.0f MiB: %.0f MiB per 1000 releases%n",
                        r.idleRss, r.peakRss, r.mibPer1000());
                if (r.n == 1000) {
                    long p99 = r.latencies.percentile(0.99);
                    System.out.printf(
                            "  goal p99 < 1000 ms: %d ms, %s; goal peak RSS < 300 MiB: %.0f MiB, %s%n",
                            p99, p99 < 1000 ? "MET" : "NOT MET", r.peakRss, r.peakRss < 300 ? "MET" : "NOT MET");
                }
            }
        }
    }
}
