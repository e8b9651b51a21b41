package dev.fledge.server.api;

import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.databind.ObjectMapper;
import dev.fledge.server.config.FledgeConfig;
import io.quarkus.runtime.configuration.MemorySize;
import io.quarkus.vertx.http.runtime.filters.Filters;
import io.vertx.core.buffer.Buffer;
import io.vertx.core.http.HttpServerRequest;
import io.vertx.core.http.HttpVersion;
import io.vertx.ext.web.RoutingContext;
import jakarta.enterprise.context.ApplicationScoped;
import jakarta.enterprise.event.Observes;
import org.eclipse.microprofile.config.inject.ConfigProperty;

/**
 * Refuses a body larger than {@code quarkus.http.limits.max-body-size} (1 MiB by default) with 413 and a JSON
 * error. A body that announces its {@code Content-Length} is refused before it is read. A body without one
 * (chunked, or HTTP/2) is read here, counting, up to the limit and handed to Quarkus REST as the routing context's
 * body; past the limit it gets the same JSON 413 (Vert.x's own limit would answer 413 without a body). The rest of
 * such a body is drained, so the client can read the answer, and the connection closed once the request ends or
 * another {@value #DRAIN_LIMITS} times the limit was discarded.
 */
@ApplicationScoped
public class BodyLimitFilter {
    static final int DRAIN_LIMITS = 4;

    private final long limit;
    private final String version;
    private final String body;

    public BodyLimitFilter(
            @ConfigProperty(name = "quarkus.http.limits.max-body-size") MemorySize limit, FledgeConfig config)
            throws JsonProcessingException {
        this.limit = limit.asLongValue();
        this.version = config.model().version();
        this.body = new ObjectMapper()
                .writeValueAsString(ErrorBody.of(
                        413,
                        "invalid_request_error",
                        "request body is larger than the limit of " + this.limit + " bytes"));
    }

    void register(@Observes Filters filters) {
        filters.register(
                rc -> {
                    HttpServerRequest request = rc.request();
                    String length = request.getHeader("Content-Length");
                    if (length != null) {
                        if (tooLarge(length)) {
                            refuse(rc);
                            return;
                        }
                        rc.next();
                    } else if (request.isEnded()) {
                        rc.next();
                    } else {
                        readCounting(rc);
                    }
                },
                100);
    }

    /** A body of unknown length: buffered up to the limit, refused beyond it. */
    private void readCounting(RoutingContext rc) {
        HttpServerRequest request = rc.request();
        Buffer buffered = Buffer.buffer();
        long[] discarded = {-1};
        request.handler(chunk -> {
            if (discarded[0] >= 0) {
                discarded[0] += chunk.length();
                if (discarded[0] > DRAIN_LIMITS * limit) {
                    request.connection().close();
                }
            } else if (buffered.length() + (long) chunk.length() > limit) {
                discarded[0] = buffered.length() + (long) chunk.length();
                refuse(rc);
            } else {
                buffered.appendBuffer(chunk);
            }
        });
        request.endHandler(ended -> {
            if (discarded[0] < 0) {
                rc.setBody(buffered);
                rc.next();
            } else if (request.version() != HttpVersion.HTTP_2) {
                request.connection().close();
            }
        });
        request.resume();
    }

    private void refuse(RoutingContext rc) {
        var response = rc.response();
        if (response.headWritten()) {
            return;
        }
        response.setStatusCode(413)
                .putHeader("Content-Type", "application/json")
                .putHeader(ModelVersionHeader.NAME, version);
        if (rc.request().version() != HttpVersion.HTTP_2) {
            response.putHeader("Connection", "close");
        }
        response.end(body);
    }

    private boolean tooLarge(String length) {
        try {
            return Long.parseLong(length.trim()) > limit;
        } catch (NumberFormatException e) {
            return false;
        }
    }
}
