package dev.fledge.server.bench;

/**
 * The proxy mode's cost, measured side by side with direct HTTP in the same rounds: the proxy forwards to the same
 * server the direct requests go to. Goals (issue 17): at most 10% lower throughput, at most 2 ms extra p50.
 *
 * <p>Throughput is read as the most the pod serves: measured saturated, with more clients than inference threads, so
 * that the two cores bound it and the proxy's cost shows as the CPU it takes from the model. This reads the issue's
 * goal so; with two closed-loop clients the throughput is 2 / mean latency, the cost of the extra hop in mean latency
 * (tail included), and that ratio is printed too, with the p99 difference.
 */
final class ProxyOverhead {
    static final double MIN_RATIO = 0.90;
    static final double MAX_EXTRA_P50_MS = 2.0;

    private ProxyOverhead() {}

    static void report(
            LatencyStats direct,
            LatencyStats proxied,
            LatencyStats fullDirect,
            LatencyStats fullProxied,
            double proxyCpuMsPerRequest) {
        System.out.println(proxied.row());
        System.out.println(fullDirect.row());
        System.out.println(fullProxied.row());
        double ratio = fullProxied.throughput() / fullDirect.throughput();
        double closedLoop = proxied.throughput() / direct.throughput();
        double extraP50 = proxied.p50Ms() - direct.p50Ms();
        System.out.printf(
                "proxy / direct HTTP throughput, saturated: %.3f (goal >= %.2f: %s)%n",
                ratio, MIN_RATIO, ratio >= MIN_RATIO ? "MET" : "NOT MET");
        System.out.printf(
                "proxy / direct HTTP throughput with 2 closed-loop clients (2 / mean latency, not the goal): %.3f%n",
                closedLoop);
        System.out.printf(
                "proxy p50 - direct p50: %+.2f ms (goal <= %.1f ms: %s); p99: %+.2f ms%n",
                extraP50,
                MAX_EXTRA_P50_MS,
                extraP50 <= MAX_EXTRA_P50_MS ? "MET" : "NOT MET",
                proxied.p99Ms() - direct.p99Ms());
        System.out.printf("proxy process CPU per request: %.2f ms%n", proxyCpuMsPerRequest);
    }
}
