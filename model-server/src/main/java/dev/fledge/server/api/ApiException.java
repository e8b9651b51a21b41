package dev.fledge.server.api;

/** A request that gets a JSON error with this status; the message is shown to the client. */
public class ApiException extends RuntimeException {
    private final int status;
    private final String type;

    public ApiException(int status, String type, String message) {
        super(message);
        this.status = status;
        this.type = type;
    }

    public static ApiException invalid(String message) {
        return new ApiException(400, "invalid_request_error", message);
    }

    public static ApiException notFound(String message) {
        return new ApiException(404, "not_found_error", message);
    }

    public int status() {
        return status;
    }

    public String type() {
        return type;
    }
}
