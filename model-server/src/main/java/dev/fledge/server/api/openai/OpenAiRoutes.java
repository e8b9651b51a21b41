package dev.fledge.server.api.openai;

import com.fasterxml.jackson.databind.ObjectMapper;
import dev.fledge.server.config.FledgeConfig;
import io.vertx.core.Handler;
import io.vertx.core.buffer.Buffer;
import io.vertx.ext.web.Router;
import io.vertx.ext.web.RoutingContext;
import jakarta.enterprise.context.ApplicationScoped;
import jakarta.enterprise.event.Observes;

/**
 * {@code POST /v1/completions} and {@code POST /v1/chat/completions} as plain Vert.x routes, so that one handler
 * can answer with JSON or with a stream of server-sent events, from whichever {@link Completions} backend this
 * server runs. The body limit ({@code BodyLimitFilter}) applies before these routes, as before every route.
 */
@ApplicationScoped
public class OpenAiRoutes {
    private final Completions completions;
    private final ObjectMapper mapper;
    private final String version;

    public OpenAiRoutes(Completions completions, ObjectMapper mapper, FledgeConfig config) {
        this.completions = completions;
        this.mapper = mapper;
        this.version = config.model().version();
    }

    void register(@Observes Router router) {
        for (Endpoint endpoint : Endpoint.values()) {
            router.post(endpoint.path()).handler(rc -> withBody(rc, body -> handle(endpoint, rc, body)));
        }
    }

    private void handle(Endpoint endpoint, RoutingContext rc, Buffer body) {
        Exchange exchange = new Exchange(rc.response(), rc.request().headers(), body, version, mapper);
        try {
            completions.handle(endpoint, exchange);
        } catch (RuntimeException e) {
            exchange.fail(e);
        }
    }

    /** The body, whether {@code BodyLimitFilter} already read it (no Content-Length) or not. */
    static void withBody(RoutingContext rc, Handler<Buffer> then) {
        Buffer read = rc.body() == null ? null : rc.body().buffer();
        if (read != null) {
            then.handle(read);
        } else if (rc.request().isEnded()) {
            then.handle(Buffer.buffer());
        } else {
            rc.request().body().onSuccess(then).onFailure(rc::fail);
            rc.request().resume(); // the router paused the request; body() alone does not resume it
        }
    }
}
