package dev.fledge.server.bench;

import java.util.ArrayList;
import java.util.List;

/**
 * Direct HTTP and the proxy, saturated, side by side: one pair per round, in alternating order (direct first in even
 * rounds, the proxy first in odd ones), so that what the previous run leaves behind (GC debt, caches, the load
 * pattern) does not always fall on the same side. Keeps each side's latencies, wall time and CPU (the whole machine,
 * the server process, the proxy process) and each round's ratio.
 */
final class SaturatedPair {
    /** One measured run of {@code threads} clients; returns its wall time in seconds and adds its latencies. */
    @FunctionalInterface
    interface Run {
        double measure(ServerBenchmark.Workload work, List<Long> latencies) throws Exception;
    }

    final Side direct = new Side();
    final Side proxied = new Side();
    final List<Double> roundRatios = new ArrayList<>();

    /** What one side took over all rounds. */
    static final class Side {
        final List<Long> latencies = new ArrayList<>();
        double seconds;
        MachineCpu machine = MachineCpu.zero();
        CpuTime.Sample server = CpuTime.Sample.zero();
        CpuTime.Sample proxy = CpuTime.Sample.zero();

        private double run(Run run, ServerBenchmark.Workload work, CpuTime serverCpu, CpuTime proxyCpu)
                throws Exception {
            MachineCpu machineBefore = MachineCpu.now();
            CpuTime.Sample serverBefore = serverCpu.now();
            CpuTime.Sample proxyBefore = proxyCpu.now();
            int before = latencies.size();
            double s = run.measure(work, latencies);
            machine = machine.plus(MachineCpu.now().minus(machineBefore));
            server = server.plus(serverCpu.now().minus(serverBefore));
            proxy = proxy.plus(proxyCpu.now().minus(proxyBefore));
            seconds += s;
            return (latencies.size() - before) / s;
        }
    }

    void round(
            int round,
            Run run,
            ServerBenchmark.Workload http,
            ServerBenchmark.Workload viaProxy,
            CpuTime serverCpu,
            CpuTime proxyCpu)
            throws Exception {
        double directRate;
        double proxyRate;
        if (round % 2 == 0) {
            directRate = direct.run(run, http, serverCpu, proxyCpu);
            proxyRate = proxied.run(run, viaProxy, serverCpu, proxyCpu);
        } else {
            proxyRate = proxied.run(run, viaProxy, serverCpu, proxyCpu);
            directRate = direct.run(run, http, serverCpu, proxyCpu);
        }
        roundRatios.add(proxyRate / directRate);
    }

    /** Each round's proxy / direct ratio, in the order run, and the smallest. */
    String describeRounds() {
        StringBuilder out = new StringBuilder("each round's proxy / direct (direct first in rounds 1, 3, ...):");
        roundRatios.forEach(r -> out.append(String.format(" %.3f", r)));
        out.append(String.format(
                "; smallest %.3f",
                roundRatios.stream().mapToDouble(Double::doubleValue).min().orElse(Double.NaN)));
        return out.toString();
    }

    /**
     * Where the cores went, per request: the whole machine (from /proc/stat), the server process and the proxy
     * process (each user + system, softirq ticks included where the kernel charges them to the running task), the
     * clients (this JVM), and the rest of the machine's busy time, which no process of the benchmark was charged.
     */
    void reportCpu() {
        System.out.println("CPU time per request, saturated (ms, all " + MachineCpu.cores()
                + " cores; processes' user + system):");
        print("direct", direct);
        print("via proxy", proxied);
    }

    private static void print(String mode, Side side) {
        int n = Math.max(1, side.latencies.size());
        System.out.println(side.machine.perRequest(mode + ", machine", n));
        double server = side.server.serverNanos() / 1e6 / n;
        double proxy = side.proxy.serverNanos() / 1e6 / n;
        double clients = side.server.clientNanos() / 1e6 / n;
        System.out.printf(
                "    server process %.2f, proxy process %.2f, clients (this JVM) %.2f, unattributed %.2f%n",
                server, proxy, clients, side.machine.busyMs() / n - server - proxy - clients);
        if (proxy > 0.005) {
            side.proxy
                    .serverGroupsMs()
                    .forEach((group, ms) -> System.out.printf("      proxy %-42s %.2f%n", group, ms / n));
        }
    }
}
