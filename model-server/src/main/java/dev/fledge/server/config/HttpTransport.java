package dev.fledge.server.config;

import io.netty.channel.epoll.Epoll;
import io.quarkus.runtime.StartupEvent;
import io.vertx.core.Vertx;
import jakarta.enterprise.context.ApplicationScoped;
import jakarta.enterprise.event.Observes;
import org.eclipse.microprofile.config.inject.ConfigProperty;
import org.jboss.logging.Logger;

/**
 * Which transport the HTTP server's event loops run on, said once at start. The server asks for Netty's native epoll
 * transport ({@code quarkus.vertx.prefer-native-transport}): on Linux (x86_64 and aarch64, the two native libraries
 * packaged) it halves the event loop's CPU per request against Java NIO (docs/model-server.md, benchmark of 7 December).
 * Netty unpacks its library to {@code java.io.tmpdir} (the pod's writable {@code /tmp}); where it cannot (another
 * platform, a {@code /tmp} mounted noexec or full), Vert.x runs on NIO, and this says why with a warning: Vert.x itself
 * keeps no cause for the fallback, Netty's {@link Epoll#unavailabilityCause()} has it.
 */
@ApplicationScoped
public class HttpTransport {
    private static final Logger LOG = Logger.getLogger(HttpTransport.class);

    private final Vertx vertx;
    private final boolean requested;

    HttpTransport(Vertx vertx, @ConfigProperty(name = "quarkus.vertx.prefer-native-transport") boolean requested) {
        this.vertx = vertx;
        this.requested = requested;
    }

    void onStart(@Observes StartupEvent event) {
        String said = describe(isNative(), requested, Epoll.unavailabilityCause());
        if (isNative() || !requested) {
            LOG.info(said);
        } else {
            LOG.warn(said);
        }
    }

    /** Whether the event loops run on the native epoll transport. */
    public boolean isNative() {
        return vertx.isNativeTransportEnabled();
    }

    /** Why the native transport is not in use, or null when it is. */
    public Throwable unavailabilityCause() {
        return isNative() ? null : Epoll.unavailabilityCause();
    }

    /** The start-up line: the transport, and why not native when it was asked for and is not. */
    static String describe(boolean nativeTransport, boolean requested, Throwable cause) {
        if (nativeTransport) {
            return "HTTP transport: native epoll";
        }
        if (!requested) {
            return "HTTP transport: Java NIO (quarkus.vertx.prefer-native-transport=false)";
        }
        return "HTTP transport: Java NIO, the native epoll transport did not load ("
                + (cause == null ? "no cause given" : cause.toString())
                + "; is /tmp writable and not noexec?); serving works, at more CPU per request";
    }
}
