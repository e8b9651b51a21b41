package dev.fledge.server.proxy;

import dev.fledge.server.config.FledgeConfig;
import io.vertx.core.Future;
import io.vertx.core.MultiMap;
import io.vertx.core.Vertx;
import io.vertx.core.buffer.Buffer;
import io.vertx.core.http.HttpClient;
import io.vertx.core.http.HttpClientOptions;
import io.vertx.core.http.HttpClientResponse;
import io.vertx.core.http.HttpMethod;
import io.vertx.core.http.PoolOptions;
import io.vertx.core.http.RequestOptions;
import jakarta.enterprise.context.ApplicationScoped;
import jakarta.enterprise.inject.Typed;
import java.net.URI;
import java.util.Locale;
import java.util.Set;

/**
 * The OpenAI-compatible server this one forwards to ({@code fledge.upstream.url}): a pooled keep-alive HTTP/1.1
 * client on the event loops. A request fails when connecting takes longer than {@code connect-timeout}, or when the
 * upstream stays silent longer than {@code timeout} (before the answer starts, or between two chunks of it).
 */
@ApplicationScoped
@Typed(Upstream.class)
public class Upstream {
    /**
     * Headers that belong to one connection, never forwarded either way (RFC 9110 §7.6.1), plus our own: the audience
     * too, so that the server behind the sidecar cannot tell the operator's safety suite ({@code evaluation}) from users
     * and answer it differently (found in the review of the shadow branch, MED 5).
     */
    static final Set<String> NOT_FORWARDED = Set.of(
            "connection",
            "keep-alive",
            "proxy-connection",
            "proxy-authenticate",
            "proxy-authorization",
            "te",
            "trailer",
            "transfer-encoding",
            "upgrade",
            "host",
            "content-length",
            "accept-encoding",
            "content-encoding",
            "x-fledge-model-version",
            "x-fledge-audience");

    private final HttpClient client;
    private final URI base;
    private final long idleTimeoutMs;

    public Upstream(Vertx vertx, FledgeConfig config) {
        var upstream = config.upstream();
        this.base = URI.create(upstream.url().orElseThrow().replaceAll("/+$", ""));
        boolean tls = "https".equalsIgnoreCase(base.getScheme());
        this.idleTimeoutMs = upstream.timeout().toMillis();
        this.client = vertx.createHttpClient(
                new HttpClientOptions()
                        .setDefaultHost(base.getHost())
                        .setDefaultPort(base.getPort() > 0 ? base.getPort() : tls ? 443 : 80)
                        .setSsl(tls)
                        .setKeepAlive(true)
                        .setTcpNoDelay(true)
                        .setConnectTimeout((int) upstream.connectTimeout().toMillis()),
                new PoolOptions().setHttp1MaxSize(256));
    }

    /** Where requests go, for messages (scheme, host and port; never a path or query). */
    public String address() {
        return base.getScheme() + "://" + base.getHost() + (base.getPort() > 0 ? ":" + base.getPort() : "");
    }

    /** Sends one request; the future has the response once its head arrived (the body is still to be read). */
    public Future<HttpClientResponse> send(HttpMethod method, String path, MultiMap headers, Buffer body) {
        RequestOptions options = new RequestOptions()
                .setMethod(method)
                .setURI((base.getPath() == null ? "" : base.getPath()) + path)
                .setIdleTimeout(idleTimeoutMs);
        return client.request(options).compose(request -> {
            headers.forEach(h -> {
                if (!NOT_FORWARDED.contains(h.getKey().toLowerCase(Locale.ROOT))) {
                    request.headers().add(h.getKey(), h.getValue());
                }
            });
            return body == null ? request.send() : request.send(body);
        });
    }

    /** The upstream's response headers that the client should see. */
    static MultiMap forwardable(MultiMap upstreamHeaders) {
        MultiMap out = MultiMap.caseInsensitiveMultiMap();
        upstreamHeaders.forEach(h -> {
            String name = h.getKey().toLowerCase(Locale.ROOT);
            if (!NOT_FORWARDED.contains(name)
                    && !name.equals("content-type")
                    && !name.equals("date")
                    && !name.equals("server")) {
                out.add(h.getKey(), h.getValue());
            }
        });
        return out;
    }
}
