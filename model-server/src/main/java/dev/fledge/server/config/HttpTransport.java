package dev.fledge.server.config;

import io.quarkus.runtime.StartupEvent;
import io.vertx.core.Vertx;
import jakarta.enterprise.context.ApplicationScoped;
import jakarta.enterprise.event.Observes;
import org.jboss.logging.Logger;

/**
 * Which transport the HTTP server's event loops run on, said once at start. The server asks for Netty's native epoll
 * transport ({@code quarkus.vertx.prefer-native-transport}): on Linux (x86_64 and aarch64, the two native libraries
 * packaged) it halves the event loop's CPU per request against Java NIO (docs/model-server.md, benchmark of 7 December).
 * Netty unpacks its library to {@code java.io.tmpdir} (the pod's writable {@code /tmp}); where it cannot (another
 * platform, a {@code /tmp} mounted noexec), the server runs on NIO as before and says why here.
 */
@ApplicationScoped
public class HttpTransport {
    private static final Logger LOG = Logger.getLogger(HttpTransport.class);

    private final Vertx vertx;

    HttpTransport(Vertx vertx) {
        this.vertx = vertx;
    }

    void onStart(@Observes StartupEvent event) {
        if (isNative()) {
            LOG.info("HTTP transport: native epoll");
        } else {
            Throwable cause = vertx.unavailableNativeTransportCause();
            LOG.warnf(
                    "HTTP transport: Java NIO, the native epoll transport is not available (%s); serving works, at more"
                            + " CPU per request",
                    cause == null ? "not requested" : cause.toString());
        }
    }

    /** Whether the event loops run on the native epoll transport. */
    public boolean isNative() {
        return vertx.isNativeTransportEnabled();
    }
}
