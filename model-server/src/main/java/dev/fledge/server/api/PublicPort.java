package dev.fledge.server.api;

import dev.fledge.server.config.FledgeConfig;
import dev.fledge.server.metrics.Audience;
import io.quarkus.runtime.ShutdownEvent;
import io.quarkus.runtime.configuration.MemorySize;
import io.quarkus.vertx.http.runtime.filters.Filters;
import io.vertx.core.Vertx;
import io.vertx.core.http.HttpServer;
import io.vertx.core.http.HttpServerOptions;
import io.vertx.core.net.SocketAddress;
import io.vertx.ext.web.Router;
import io.vertx.ext.web.RoutingContext;
import jakarta.enterprise.context.ApplicationScoped;
import jakarta.enterprise.event.Observes;
import java.time.Duration;
import java.util.concurrent.TimeUnit;
import org.eclipse.microprofile.config.inject.ConfigProperty;

/**
 * A second listener on {@code fledge.public-port} that serves the same routes as the main port, with the audience
 * forced to {@code public}: before any resource reads it, every {@code X-Fledge-Audience} a client sent on that port
 * is replaced by {@code public}. The replicas router's public Service {@code <release>} targets this port, so a
 * public user cannot claim to be internal (security review 15, MED 3); the audience Services and the track Services
 * keep the main port, where the header is honoured. Probes and {@code /metrics} stay on the main port too.
 */
@ApplicationScoped
public class PublicPort {
    private static final int BEFORE_EVERY_OTHER_FILTER = 1000;

    private final Vertx vertx;
    private final int configured;
    private final int mainPort;
    private final HttpServerOptions options;
    private volatile HttpServer server;

    /** The main server's host, header size limit and idle timeout (Quarkus' defaults: 20K, 30 minutes) apply here too. */
    public PublicPort(
            Vertx vertx,
            FledgeConfig config,
            @ConfigProperty(name = "quarkus.http.port") int mainPort,
            @ConfigProperty(name = "quarkus.http.host", defaultValue = "0.0.0.0") String host,
            @ConfigProperty(name = "quarkus.http.limits.max-header-size", defaultValue = "20K")
                    MemorySize maxHeaderSize,
            @ConfigProperty(name = "quarkus.http.idle-timeout", defaultValue = "30M") Duration idleTimeout) {
        this.vertx = vertx;
        this.configured = config.publicPort();
        this.mainPort = mainPort;
        this.options = new HttpServerOptions()
                .setHost(host)
                .setPort(configured)
                .setMaxHeaderSize((int) maxHeaderSize.asLongValue())
                .setIdleTimeout((int) idleTimeout.toMillis())
                .setIdleTimeoutUnit(TimeUnit.MILLISECONDS);
    }

    /** The bound public port; -1 before it is listening. */
    public int port() {
        HttpServer s = server;
        return s == null ? -1 : s.actualPort();
    }

    void listen(@Observes Router router) throws Exception {
        if (configured != 0 && configured == mainPort) {
            throw new IllegalStateException(
                    "fledge.public-port must differ from quarkus.http.port (both " + mainPort + ")");
        }
        // the header is forced here, on the listener itself, before the router sees the request: the filter below
        // runs only once Quarkus has added its filters to the router, after this listener is already open
        server = vertx.createHttpServer(options)
                .requestHandler(request -> {
                    request.headers().set(Audience.HEADER, Audience.PUBLIC.label());
                    router.handle(request);
                })
                .listen()
                .toCompletionStage()
                .toCompletableFuture()
                .get(30, TimeUnit.SECONDS);
    }

    void close(@Observes ShutdownEvent stop) throws Exception {
        HttpServer s = server;
        if (s != null) {
            s.close().toCompletionStage().toCompletableFuture().get(30, TimeUnit.SECONDS);
        }
    }

    void register(@Observes Filters filters) {
        filters.register(this::forcePublic, BEFORE_EVERY_OTHER_FILTER);
    }

    private void forcePublic(RoutingContext rc) {
        SocketAddress local = rc.request().localAddress();
        if (local != null && local.port() == port()) {
            rc.request().headers().set(Audience.HEADER, Audience.PUBLIC.label());
        }
        rc.next();
    }
}
