package dev.fledge.server.api;

import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.databind.ObjectMapper;
import dev.fledge.server.config.FledgeConfig;
import io.quarkus.runtime.configuration.MemorySize;
import io.quarkus.vertx.http.runtime.filters.Filters;
import jakarta.enterprise.context.ApplicationScoped;
import jakarta.enterprise.event.Observes;
import org.eclipse.microprofile.config.inject.ConfigProperty;

/**
 * Refuses a body larger than {@code quarkus.http.limits.max-body-size} (1 MiB by default) with 413 and a JSON
 * error, before it is read. (Vert.x's own limit, which still applies to chunked bodies, answers 413 without a body.)
 */
@ApplicationScoped
public class BodyLimitFilter {
    private final long limit;
    private final String version;
    private final String body;

    public BodyLimitFilter(@ConfigProperty(name = "quarkus.http.limits.max-body-size") MemorySize limit,
            FledgeConfig config) throws JsonProcessingException {
        this.limit = limit.asLongValue();
        this.version = config.model().version();
        this.body = new ObjectMapper().writeValueAsString(ErrorBody.of(413, "invalid_request_error",
                "request body is larger than the limit of " + this.limit + " bytes"));
    }

    void register(@Observes Filters filters) {
        filters.register(rc -> {
            String length = rc.request().getHeader("Content-Length");
            if (length != null && tooLarge(length)) {
                rc.response().setStatusCode(413).putHeader("Content-Type", "application/json")
                        .putHeader(ModelVersionHeader.NAME, version).putHeader("Connection", "close").end(body);
                return;
            }
            rc.next();
        }, 100);
    }

    private boolean tooLarge(String length) {
        try {
            return Long.parseLong(length.trim()) > limit;
        } catch (NumberFormatException e) {
            return false;
        }
    }
}
