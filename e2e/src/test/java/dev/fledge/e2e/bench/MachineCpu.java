package dev.fledge.e2e.bench;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Map;
import java.util.TreeMap;

/**
 * CPU seconds (user + system) of the processes sharing this machine with the operator, by command name: the API
 * server, etcd, Prometheus and this harness. Read from {@code /proc} before and after the rollout, so the benchmark
 * says where the two cores went, not only the operator's part.
 */
final class MachineCpu {
    private static final long TICKS_PER_SECOND = 100; // USER_HZ on Linux

    private final Map<String, Double> seconds;

    private MachineCpu(Map<String, Double> seconds) {
        this.seconds = seconds;
    }

    /**
     * The CPU seconds so far of this harness's descendants whose command is one of {@code names} (summed per name; the
     * API server and etcd of kube-api-test, the Prometheus it starts), and of this harness ({@code harness}). Only its
     * own: another run's API server on the same machine is not counted.
     */
    static MachineCpu now(String... names) {
        Map<String, Double> by = new TreeMap<>();
        for (String name : names) {
            by.put(name, 0.0);
        }
        try {
            ProcessHandle.current().descendants().forEach(p -> {
                String stat = stat(Path.of("/proc", Long.toString(p.pid())));
                String comm = stat.substring(stat.indexOf('(') + 1, Math.max(0, stat.lastIndexOf(')')));
                if (by.containsKey(comm)) {
                    by.merge(comm, seconds(stat), Double::sum);
                }
            });
            by.put("harness", seconds(stat(Path.of("/proc/self"))));
        } catch (RuntimeException e) {
            return new MachineCpu(Map.of());
        }
        return new MachineCpu(by);
    }

    /** The process's stat line, or "()" if it is gone. */
    private static String stat(Path proc) {
        try {
            return Files.readString(proc.resolve("stat"), StandardCharsets.UTF_8);
        } catch (IOException e) {
            return "()";
        }
    }

    /** utime + stime of a {@code /proc/<pid>/stat} line: fields 14 and 15, counted from the ")" that closes the command name. */
    static double seconds(String stat) {
        String[] f = stat.substring(stat.lastIndexOf(')') + 2).split(" ");
        return (Long.parseLong(f[11]) + Long.parseLong(f[12])) / (double) TICKS_PER_SECOND;
    }

    /** "name s, ..." of what each used since {@code before}. */
    String since(MachineCpu before) {
        if (seconds.isEmpty() || before.seconds.isEmpty()) {
            return "not readable";
        }
        StringBuilder out = new StringBuilder();
        seconds.forEach((name, s) ->
                out.append(String.format("%s %.1f s, ", name, s - before.seconds.getOrDefault(name, 0.0))));
        return out.substring(0, out.length() - 2);
    }
}
