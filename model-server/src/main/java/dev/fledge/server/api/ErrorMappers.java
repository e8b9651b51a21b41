package dev.fledge.server.api;

import dev.fledge.server.fault.FaultInjector.InjectedFaultException;
import dev.fledge.server.feedback.IssuedResponses.AlreadyRated;
import dev.fledge.server.serving.OverloadedException;
import jakarta.ws.rs.WebApplicationException;
import jakarta.ws.rs.core.MediaType;
import jakarta.ws.rs.core.Response;
import java.util.Locale;
import org.jboss.logging.Logger;
import org.jboss.resteasy.reactive.server.ServerExceptionMapper;

/** Every error leaves as a JSON body; internal details (class names, stack traces) never do. */
public class ErrorMappers {
    private static final Logger LOG = Logger.getLogger(ErrorMappers.class);

    @ServerExceptionMapper({
        ApiException.class,
        OverloadedException.class,
        InjectedFaultException.class,
        AlreadyRated.class
    })
    public Response known(RuntimeException e) {
        Failure failure = Failure.of(e);
        return json(failure.status(), failure.type(), failure.message());
    }

    @ServerExceptionMapper
    public Response web(WebApplicationException e) {
        int status = e.getResponse().getStatus();
        String reason = Response.Status.fromStatusCode(status) == null
                ? "request failed"
                : Response.Status.fromStatusCode(status).getReasonPhrase().toLowerCase(Locale.ROOT);
        return json(status, status >= 500 ? "server_error" : "invalid_request_error", reason);
    }

    @ServerExceptionMapper
    public Response unexpected(RuntimeException e) {
        LOG.error("unexpected failure", e);
        return json(500, "server_error", "internal error");
    }

    static Response json(int status, String type, String message) {
        return Response.status(status)
                .type(MediaType.APPLICATION_JSON_TYPE)
                .entity(ErrorBody.of(status, type, message))
                .build();
    }
}
