package dev.fledge.server.bench;

import com.sun.management.OperatingSystemMXBean;
import java.io.IOException;
import java.lang.management.ManagementFactory;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.Map;
import java.util.TreeMap;
import java.util.stream.Stream;

/**
 * CPU time spent by this JVM and by the server process, so the benchmark can say where the time of a request
 * goes on a machine whose cores the client, the server and everything else share. The server's time is also split
 * by thread group (inference threads, request workers, event loop, JIT, GC) from /proc when it is there (Linux).
 */
final class CpuTime {
    /** Linux reports thread times in clock ticks of 1/100 s; thread names are cut to 15 characters. */
    private static final double TICK_MS = 10.0;

    private static final String JIT = "JIT compiler";

    private final ProcessHandle server;

    CpuTime(ProcessHandle server) {
        this.server = server;
    }

    record Sample(long clientNanos, long serverNanos, Map<String, Double> serverGroupsMs) {
        Sample minus(Sample before) {
            Map<String, Double> groups = new TreeMap<>(serverGroupsMs);
            before.serverGroupsMs.forEach((k, v) -> groups.merge(k, -v, Double::sum));
            return new Sample(clientNanos - before.clientNanos, serverNanos - before.serverNanos, groups);
        }

        Sample plus(Sample other) {
            Map<String, Double> groups = new TreeMap<>(serverGroupsMs);
            other.serverGroupsMs.forEach((k, v) -> groups.merge(k, v, Double::sum));
            return new Sample(clientNanos + other.clientNanos, serverNanos + other.serverNanos, groups);
        }

        static Sample zero() {
            return new Sample(0, 0, Map.of());
        }
    }

    Sample now() {
        long client = ((OperatingSystemMXBean) ManagementFactory.getOperatingSystemMXBean()).getProcessCpuTime();
        long serverNanos =
                server.info().totalCpuDuration().map(Duration::toNanos).orElse(-1L);
        return new Sample(client, serverNanos, threadGroups(server));
    }

    /** CPU ms the JIT compiler threads of a process have used so far (0 where /proc is not there). */
    static double jitMs(ProcessHandle process) {
        return threadGroups(process).getOrDefault(JIT, 0.0);
    }

    private static Map<String, Double> threadGroups(ProcessHandle process) {
        Map<String, Double> groups = new TreeMap<>();
        Path tasks = Path.of("/proc", Long.toString(process.pid()), "task");
        if (!Files.isDirectory(tasks)) {
            return groups;
        }
        try (Stream<Path> threads = Files.list(tasks)) {
            threads.forEach(t -> {
                try {
                    String name = Files.readString(t.resolve("comm")).trim();
                    String stat = Files.readString(t.resolve("stat"));
                    String[] f = stat.substring(stat.lastIndexOf(')') + 2).split(" ");
                    double ms = (Long.parseLong(f[11]) + Long.parseLong(f[12])) * TICK_MS;
                    groups.merge(group(name), ms, Double::sum);
                } catch (IOException | RuntimeException gone) {
                    // the thread ended between listing and reading
                }
            });
        } catch (IOException e) {
            return groups;
        }
        return groups;
    }

    private static String group(String thread) {
        if (thread.startsWith("inference-")) {
            return "inference threads (generate, judge, count)";
        }
        if (thread.startsWith("executor-thread")) {
            return "request workers (blocking endpoints)";
        }
        if (thread.startsWith("vert.x-eventloo")) {
            return "event loop (HTTP, JSON)";
        }
        if (thread.startsWith("C1 Compiler") || thread.startsWith("C2 Compiler")) {
            return JIT;
        }
        if (thread.startsWith("GC ") || thread.startsWith("G1 ")) {
            return "GC";
        }
        return "other";
    }
}
