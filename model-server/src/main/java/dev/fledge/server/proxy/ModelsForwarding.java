package dev.fledge.server.proxy;

import com.fasterxml.jackson.databind.ObjectMapper;
import dev.fledge.server.api.openai.Exchange;
import dev.fledge.server.config.FledgeConfig;
import io.vertx.core.Future;
import io.vertx.core.buffer.Buffer;
import io.vertx.core.http.HttpMethod;
import io.vertx.ext.web.Router;
import io.vertx.ext.web.RoutingContext;
import jakarta.enterprise.context.ApplicationScoped;
import jakarta.enterprise.event.Observes;
import jakarta.enterprise.inject.Instance;

/** Proxy mode: {@code GET /v1/models} and {@code /v1/models/{name}} are the upstream's, forwarded as they are. */
@ApplicationScoped
public class ModelsForwarding {
    private final FledgeConfig config;
    private final Instance<Upstream> upstream;
    private final ObjectMapper mapper;

    public ModelsForwarding(FledgeConfig config, Instance<Upstream> upstream, ObjectMapper mapper) {
        this.config = config;
        this.upstream = upstream;
        this.mapper = mapper;
    }

    void register(@Observes Router router) {
        if (config.upstream().url().isEmpty()) {
            return;
        }
        router.get("/v1/models").order(-10).handler(this::forward);
        router.get("/v1/models/*").order(-10).handler(this::forward);
    }

    private void forward(RoutingContext rc) {
        Exchange exchange = new Exchange(
                rc.response(),
                rc.request().headers(),
                Buffer.buffer(),
                config.model().version(),
                mapper);
        Upstream to = upstream.get();
        long limit = config.upstream().maxResponseSize().asLongValue();
        to.send(HttpMethod.GET, rc.request().uri(), rc.request().headers(), null)
                .compose(response -> BoundedBody.read(response, limit)
                        .compose(body -> response.statusCode() == 200
                                ? Future.succeededFuture(body)
                                : Future.failedFuture(UpstreamFailure.status(response.statusCode(), body)))
                        .onSuccess(body ->
                                exchange.raw(200, "application/json", body, Upstream.forwardable(response.headers()))))
                .onFailure(failure -> exchange.fail(UpstreamFailure.of(
                        failure, to.address(), config.upstream().timeout().toMillis())));
    }
}
