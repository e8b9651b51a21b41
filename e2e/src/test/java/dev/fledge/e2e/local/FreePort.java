package dev.fledge.e2e.local;

import java.io.IOException;
import java.net.ServerSocket;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.concurrent.ThreadLocalRandom;
import java.util.concurrent.atomic.AtomicInteger;

/**
 * A free TCP port for a process a test starts (Prometheus, a model server, a stub) and passes the number to. Between
 * this check and the child's bind nothing holds the port, so it comes from this test JVM's own range, below both the
 * kernel's ephemeral ports ({@code /proc/sys/net/ipv4/ip_local_port_range}, 32768-60999 by default) and Kubernetes'
 * NodePort range (30000-32767): another test JVM of the module (surefire's fork number, {@code -Dfledge.fork}) picks
 * from another range, and no outgoing connection, of anyone, is given a port there. Within the JVM the ports are
 * handed out in turn, so a port comes back only after the whole range has been given out (a test that needs a port
 * where nothing listens keeps it that way too). Two builds running at once on one machine do share the ranges.
 */
public final class FreePort {
    static final int SPAN = 1_500;
    /** Ranges for fork numbers 1..6; a seventh fork shares the first's. */
    static final int RANGES = 6;

    private static final AtomicInteger NEXT =
            new AtomicInteger(ThreadLocalRandom.current().nextInt(SPAN));
    private static final int BASE = base();

    private FreePort() {}

    public static int get() {
        int fork = Integer.getInteger("fledge.fork", 1);
        int low = BASE + Math.floorMod(fork - 1, RANGES) * SPAN;
        for (int i = 0; i < SPAN; i++) {
            int port = low + Math.floorMod(NEXT.getAndIncrement(), SPAN);
            if (bindable(port)) {
                return port;
            }
        }
        throw new IllegalStateException("no free TCP port in " + low + "-" + (low + SPAN - 1));
    }

    /** The ranges end below the ephemeral ports and below 30000: 21000 with the kernel's defaults. */
    private static int base() {
        int top = 30_000;
        try {
            // a reader, not Files.readString: procfs reports a size of 0, and readString returned "3" here
            String[] range = Files.readAllLines(Path.of("/proc/sys/net/ipv4/ip_local_port_range"))
                    .get(0)
                    .trim()
                    .split("\\s+");
            top = Math.min(top, Integer.parseInt(range[0]));
        } catch (IOException | RuntimeException e) {
            // not Linux, or unreadable: the default ephemeral range starts higher
        }
        int base = top - RANGES * SPAN;
        if (base < 1_024) {
            throw new IllegalStateException(
                    "the ephemeral port range starts at " + top + ": no room below it for the test JVMs' port ranges");
        }
        return base;
    }

    /** Nothing listens on the port, on any address. */
    private static boolean bindable(int port) {
        try (ServerSocket s = new ServerSocket(port)) {
            return true;
        } catch (IOException e) {
            return false;
        }
    }
}
