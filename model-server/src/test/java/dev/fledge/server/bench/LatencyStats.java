package dev.fledge.server.bench;

import java.util.List;

/** Throughput and latency percentiles of one benchmark mode. */
record LatencyStats(String mode, int requests, double seconds, double p50Ms, double p99Ms) {

    static LatencyStats of(String mode, List<Long> latenciesNanos, double seconds) {
        long[] sorted =
                latenciesNanos.stream().mapToLong(Long::longValue).sorted().toArray();
        return new LatencyStats(mode, sorted.length, seconds, percentile(sorted, 0.50), percentile(sorted, 0.99));
    }

    private static double percentile(long[] sorted, double q) {
        if (sorted.length == 0) {
            return Double.NaN;
        }
        int index = (int) Math.ceil(q * sorted.length) - 1;
        return sorted[Math.max(0, Math.min(sorted.length - 1, index))] / 1e6;
    }

    double throughput() {
        return requests / seconds;
    }

    String row() {
        return String.format("| %-22s | %8d | %12.1f | %8.1f | %8.1f |", mode, requests, throughput(), p50Ms, p99Ms);
    }

    static String header() {
        return "| mode                   | requests | throughput/s |  p50 ms  |  p99 ms  |\n"
                + "|------------------------|----------|--------------|----------|----------|";
    }
}
