package dev.fledge.e2e.local;

import java.io.IOException;
import java.net.ServerSocket;
import java.util.concurrent.ThreadLocalRandom;
import java.util.concurrent.atomic.AtomicInteger;

/**
 * A free TCP port for a process a test starts (Prometheus, a model server, a stub) and passes the number to. Between
 * this check and the child's bind nothing holds the port, so it comes from this test JVM's own range, below the
 * kernel's ephemeral ports (32768-60999 on Linux by default): another test JVM of the module (surefire's fork number,
 * {@code fledge.fork}) picks from another range, and no outgoing connection, of anyone, is given a port there. Within
 * the JVM the ports are handed out in turn, so a port comes back only after the whole range has been given out (a
 * test that needs a port where nothing listens keeps it that way too). Before, each call asked the kernel for an
 * ephemeral port and freed it: the three test JVMs and every outgoing connection drew from the same pool.
 */
public final class FreePort {
    static final int BASE = 20_000;
    static final int SPAN = 2_000;
    /** Ranges for fork numbers 1..6 (20000-31999); a seventh fork shares the first's. */
    static final int RANGES = 6;

    private static final AtomicInteger NEXT =
            new AtomicInteger(ThreadLocalRandom.current().nextInt(SPAN));

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

    /** Nothing listens on the port, on any address. */
    private static boolean bindable(int port) {
        try (ServerSocket s = new ServerSocket(port)) {
            return true;
        } catch (IOException e) {
            return false;
        }
    }
}
