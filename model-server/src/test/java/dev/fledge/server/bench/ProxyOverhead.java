package dev.fledge.server.bench;

/**
 * The proxy mode's cost, measured side by side with direct HTTP in the same rounds: the proxy forwards to the same
 * server the direct requests go to. Goals (issue 17): at most 10% lower throughput, at most 2 ms extra p50.
 */
final class ProxyOverhead {
    static final double MIN_RATIO = 0.90;
    static final double MAX_EXTRA_P50_MS = 2.0;

    private ProxyOverhead() {}

    static void report(LatencyStats direct, LatencyStats proxied, double proxyCpuMsPerRequest) {
        System.out.println(proxied.row());
        double ratio = proxied.throughput() / direct.throughput();
        double extraP50 = proxied.p50Ms() - direct.p50Ms();
        System.out.printf(
                "proxy / direct HTTP throughput: %.2f (goal >= %.2f: %s)%n",
                ratio, MIN_RATIO, ratio >= MIN_RATIO ? "MET" : "NOT MET");
        System.out.printf(
                "proxy p50 - direct p50: %+.2f ms (goal <= %.1f ms: %s)%n",
                extraP50, MAX_EXTRA_P50_MS, extraP50 <= MAX_EXTRA_P50_MS ? "MET" : "NOT MET");
        System.out.printf("proxy process CPU per request: %.2f ms%n", proxyCpuMsPerRequest);
    }
}
