package dev.fledge.server.api;

import dev.fledge.server.fault.FaultInjector.InjectedFaultException;
import dev.fledge.server.feedback.IssuedResponses.AlreadyRated;
import dev.fledge.server.serving.OverloadedException;
import jakarta.ws.rs.WebApplicationException;
import jakarta.ws.rs.core.MediaType;
import jakarta.ws.rs.core.Response;
import org.jboss.logging.Logger;
import org.jboss.resteasy.reactive.server.ServerExceptionMapper;

/** Every error leaves as a JSON body; internal details (class names, stack traces) never do. */
public class ErrorMappers {
    private static final Logger LOG = Logger.getLogger(ErrorMappers.class);

    @ServerExceptionMapper
    public Response api(ApiException e) {
        return json(e.status(), e.type(), e.getMessage());
    }

    @ServerExceptionMapper
    public Response overloaded(OverloadedException e) {
        return json(429, "rate_limit_error", e.getMessage() + "; retry later");
    }

    @ServerExceptionMapper
    public Response injected(InjectedFaultException e) {
        return json(503, "injected_fault", e.getMessage());
    }

    @ServerExceptionMapper
    public Response alreadyRated(AlreadyRated e) {
        return json(409, "conflict_error", e.getMessage());
    }

    @ServerExceptionMapper
    public Response web(WebApplicationException e) {
        int status = e.getResponse().getStatus();
        String reason = Response.Status.fromStatusCode(status) == null ? "request failed"
                : Response.Status.fromStatusCode(status).getReasonPhrase().toLowerCase(java.util.Locale.ROOT);
        return json(status, status >= 500 ? "server_error" : "invalid_request_error", reason);
    }

    @ServerExceptionMapper
    public Response unexpected(RuntimeException e) {
        LOG.error("unexpected failure", e);
        return json(500, "server_error", "internal error");
    }

    static Response json(int status, String type, String message) {
        return Response.status(status).type(MediaType.APPLICATION_JSON_TYPE)
                .entity(ErrorBody.of(status, type, message)).build();
    }
}
