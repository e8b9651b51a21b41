package dev.fledge.server.api;

import dev.fledge.server.fault.FaultInjector.InjectedFaultException;
import dev.fledge.server.feedback.IssuedResponses.AlreadyRated;
import dev.fledge.server.serving.OverloadedException;
import java.util.concurrent.CompletionException;

/**
 * What a failure looks like to the client: a status, an error type and a message. Known failures keep their own
 * message; anything else is an internal error whose details never leave the server.
 */
public record Failure(int status, String type, String message, boolean unexpected) {

    public static Failure of(Throwable thrown) {
        Throwable e = thrown instanceof CompletionException && thrown.getCause() != null ? thrown.getCause() : thrown;
        if (e instanceof ApiException api) {
            return new Failure(api.status(), api.type(), api.getMessage(), false);
        }
        if (e instanceof OverloadedException) {
            return new Failure(429, "rate_limit_error", e.getMessage() + "; retry later", false);
        }
        if (e instanceof InjectedFaultException) {
            return new Failure(503, "injected_fault", e.getMessage(), false);
        }
        if (e instanceof AlreadyRated) {
            return new Failure(409, "conflict_error", e.getMessage(), false);
        }
        return new Failure(500, "server_error", "internal error", true);
    }

    public ErrorBody body() {
        return ErrorBody.of(status, type, message);
    }
}
