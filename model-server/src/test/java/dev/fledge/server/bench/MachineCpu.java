package dev.fledge.server.bench;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;

/**
 * The whole machine's CPU time from {@code /proc/stat} (Linux; zeros elsewhere), in ms summed over all cores: what
 * no process's own counters show, such as the kernel's softirq work for loopback TCP, idle cores and time stolen by
 * the hypervisor. Read around the saturated runs, it says whether the cores were busy and with what.
 */
record MachineCpu(double userMs, double systemMs, double softirqMs, double idleMs, double stealMs) {
    private static final double TICK_MS = 10.0;
    private static final Path STAT = Path.of("/proc/stat");

    static MachineCpu now() {
        try {
            String[] f = Files.readAllLines(STAT).get(0).trim().split("\\s+");
            // cpu user nice system idle iowait irq softirq steal ...
            return new MachineCpu(
                    (ticks(f, 1) + ticks(f, 2)) * TICK_MS,
                    (ticks(f, 3) + ticks(f, 6)) * TICK_MS,
                    ticks(f, 7) * TICK_MS,
                    (ticks(f, 4) + ticks(f, 5)) * TICK_MS,
                    ticks(f, 8) * TICK_MS);
        } catch (IOException | RuntimeException notLinux) {
            return zero();
        }
    }

    static MachineCpu zero() {
        return new MachineCpu(0, 0, 0, 0, 0);
    }

    private static long ticks(String[] fields, int i) {
        return i < fields.length ? Long.parseLong(fields[i]) : 0;
    }

    MachineCpu minus(MachineCpu before) {
        return new MachineCpu(
                userMs - before.userMs,
                systemMs - before.systemMs,
                softirqMs - before.softirqMs,
                idleMs - before.idleMs,
                stealMs - before.stealMs);
    }

    MachineCpu plus(MachineCpu other) {
        return new MachineCpu(
                userMs + other.userMs,
                systemMs + other.systemMs,
                softirqMs + other.softirqMs,
                idleMs + other.idleMs,
                stealMs + other.stealMs);
    }

    double busyMs() {
        return userMs + systemMs + softirqMs;
    }

    /** The cores /proc/stat counts (its cpuN lines), or the JVM's count where it is not there. */
    static int cores() {
        try {
            return (int) Files.readAllLines(STAT).stream()
                    .filter(l -> l.matches("^cpu\\d+ .*"))
                    .count();
        } catch (IOException | RuntimeException notLinux) {
            return Runtime.getRuntime().availableProcessors();
        }
    }

    /** One row, in ms per request: user, system, softirq, idle, steal, and the busy ones summed. */
    String perRequest(String mode, int requests) {
        double n = Math.max(1, requests);
        return String.format(
                "  %-22s user %.2f + system %.2f + softirq %.2f = busy %.2f; idle %.2f; steal %.2f",
                mode, userMs / n, systemMs / n, softirqMs / n, busyMs() / n, idleMs / n, stealMs / n);
    }
}
