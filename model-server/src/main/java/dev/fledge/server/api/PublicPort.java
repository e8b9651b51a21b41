package dev.fledge.server.api;

import dev.fledge.server.config.FledgeConfig;
import dev.fledge.server.metrics.Audience;
import io.quarkus.runtime.ShutdownEvent;
import io.quarkus.runtime.configuration.MemorySize;
import io.quarkus.vertx.http.runtime.filters.Filters;
import io.vertx.core.Vertx;
import io.vertx.core.http.HttpServer;
import io.vertx.core.http.HttpServerOptions;
import io.vertx.core.http.HttpServerResponse;
import io.vertx.core.http.impl.HttpUtils;
import io.vertx.core.json.Json;
import io.vertx.core.net.SocketAddress;
import io.vertx.ext.web.Router;
import io.vertx.ext.web.RoutingContext;
import jakarta.annotation.Priority;
import jakarta.enterprise.context.ApplicationScoped;
import jakarta.enterprise.event.Observes;
import jakarta.interceptor.Interceptor;
import java.time.Duration;
import java.util.List;
import java.util.concurrent.TimeUnit;
import org.eclipse.microprofile.config.inject.ConfigProperty;
import org.jboss.logging.Logger;

/**
 * A second listener on {@code fledge.public-port} that serves the same routes as the main port, with the audience
 * forced to {@code public}: before any resource reads it, every {@code X-Fledge-Audience} a client sent on that port
 * is replaced by {@code public}. The replicas router's public Service {@code <release>} targets this port, so a
 * public user cannot claim to be internal (security review 15, MED 3); the audience Services and the track Services
 * keep the main port, where the header is honoured. It serves only the model API paths a Gateway route carries (the
 * operator's {@code HttpRoutes.MODEL_API_PATHS}: {@code /v1/completions}, {@code /v1/chat/completions},
 * {@code /v1/models}, {@code /v1/feedback}, {@code /v2/models} and below) and the readiness endpoint the pod's
 * readiness probe asks here; every other path ({@code /metrics}, {@code /q/*}, {@code /v1/moderations}...) is 404,
 * matched on the path as the router normalises it (dot segments removed). {@code /metrics} and the other probes stay
 * on the main port.
 */
@ApplicationScoped
public class PublicPort {
    private static final Logger LOG = Logger.getLogger(PublicPort.class);
    private static final int BEFORE_EVERY_OTHER_FILTER = 1000;
    /**
     * Path prefixes served here: the operator's {@code HttpRoutes.MODEL_API_PATHS}, matched as Gateway API PathPrefix
     * (e2e {@code PublicPortServesTheRoutedPathsTest} fails when the two lists differ).
     */
    static final List<String> MODEL_API_PATHS =
            List.of("/v1/completions", "/v1/chat/completions", "/v1/models", "/v1/feedback", "/v2/models");
    /** The readiness endpoint, which the readiness probe asks on this port. */
    static final String READY = "/q/health/ready";

    private final Vertx vertx;
    private final int configured;
    private final int mainPort;
    private final HttpServerOptions options;
    private final Duration drain;
    private final InFlight inFlight = new InFlight();
    private volatile HttpServer server;

    /** The main server's host, header size limit and idle timeout (Quarkus' defaults: 20K, 30 minutes) apply here too. */
    public PublicPort(
            Vertx vertx,
            FledgeConfig config,
            @ConfigProperty(name = "quarkus.http.port") int mainPort,
            @ConfigProperty(name = "quarkus.http.host", defaultValue = "0.0.0.0") String host,
            @ConfigProperty(name = "quarkus.http.limits.max-header-size", defaultValue = "20K")
                    MemorySize maxHeaderSize,
            @ConfigProperty(name = "quarkus.http.idle-timeout", defaultValue = "30M") Duration idleTimeout,
            @ConfigProperty(name = "quarkus.shutdown.timeout", defaultValue = "0s") Duration drain) {
        this.vertx = vertx;
        this.drain = drain;
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
                    if (!served(request.path())) {
                        notFound(request.response());
                        return;
                    }
                    if (!inFlight.admit(request.response())) {
                        request.response()
                                .setStatusCode(503)
                                .putHeader("Connection", "close")
                                .end();
                        return;
                    }
                    request.headers().set(Audience.HEADER, Audience.PUBLIC.label());
                    router.handle(request);
                })
                .listen()
                .toCompletionStage()
                .toCompletableFuture()
                .get(30, TimeUnit.SECONDS);
        // SIGTERM starts the JVM's shutdown hooks at once, Quarkus' among them: from then on this port refuses new
        // requests, and its drain shares the main port's time instead of starting after it (ShutdownEvent)
        Runtime.getRuntime().addShutdownHook(new Thread(inFlight::startDraining, "public-port-drain"));
    }

    /**
     * Drains, then closes: the requests in flight finish within {@code quarkus.shutdown.timeout} counted from SIGTERM
     * (the shutdown hook of {@link #listen}), as Quarkus drains the main port at the same time; its drain does not see
     * this listener, and this observer runs only after it. Before the model is closed ({@code ModelRuntime.onStop}
     * observes later), or the requests in flight here would fail with a closed model.
     */
    void close(@Observes @Priority(Interceptor.Priority.PLATFORM_BEFORE) ShutdownEvent stop) throws Exception {
        HttpServer s = server;
        if (s != null) {
            int cut = inFlight.drain(drain);
            if (cut > 0) {
                LOG.warnf("public port: %d requests still in flight after the %s drain are cut", cut, drain);
            }
            s.close().toCompletionStage().toCompletableFuture().get(30, TimeUnit.SECONDS);
        }
    }

    void register(@Observes Filters filters) {
        filters.register(this::forcePublic, BEFORE_EVERY_OTHER_FILTER);
    }

    private void forcePublic(RoutingContext rc) {
        SocketAddress local = rc.request().localAddress();
        if (local != null && local.port() == port()) {
            if (!served(rc.normalizedPath())) {
                notFound(rc.response());
                return;
            }
            rc.request().headers().set(Audience.HEADER, Audience.PUBLIC.label());
            // a response that starts while the port drains closes its connection, so a keep-alive client moves on to
            // another pod instead of getting the 503 of its next request here (a list of the context's, not the
            // response's single headers-end handler)
            rc.addHeadersEndHandler(v -> {
                if (inFlight.draining()) {
                    rc.response().putHeader("Connection", "close");
                }
            });
        }
        rc.next();
    }

    /**
     * Whether the public port serves {@code path}: the readiness endpoint, or a model API path (a prefix, or below it
     * after a {@code /}), once normalised as the router does.
     */
    static boolean served(String path) {
        String p;
        try {
            p = path == null ? null : HttpUtils.normalizePath(path);
        } catch (IllegalArgumentException e) {
            return false; // not a path the router could match either
        }
        return p != null
                && (READY.equals(p) || MODEL_API_PATHS.stream().anyMatch(a -> p.equals(a) || p.startsWith(a + "/")));
    }

    private static void notFound(HttpServerResponse response) {
        response.setStatusCode(404)
                .putHeader("Content-Type", "application/json")
                .end(Json.encode(ErrorBody.of(404, "not_found_error", "not served on the public port")));
    }
}
