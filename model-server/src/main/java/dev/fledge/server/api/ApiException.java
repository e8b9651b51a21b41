package dev.fledge.server.api;

/** A request that gets a JSON error with this status; the message is shown to the client. */
public class ApiException extends RuntimeException {
    private final int status;
    private final String type;
    private final boolean modelLimit;

    public ApiException(int status, String type, String message) {
        this(status, type, message, false);
    }

    private ApiException(int status, String type, String message, boolean modelLimit) {
        super(message);
        this.status = status;
        this.type = type;
        this.modelLimit = modelLimit;
    }

    /**
     * A well-formed request beyond what this model (version) takes: an input of another width, more tokens than its
     * limit, a text request to a tensor model. A 400 to the client, but counted as {@code model_limit}, not
     * {@code invalid}: a canary that narrowed its limits refuses requests the stable version serves.
     */
    public static ApiException modelLimit(String message) {
        return new ApiException(400, "invalid_request_error", message, true);
    }

    /** Whether the request was refused by a limit of the model rather than for being malformed. */
    public boolean modelLimit() {
        return modelLimit;
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
