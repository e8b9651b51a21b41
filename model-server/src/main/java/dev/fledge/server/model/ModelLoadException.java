package dev.fledge.server.model;

/** The model named by {@code fledge.model.uri} cannot be served; the message says why. */
public class ModelLoadException extends RuntimeException {
    public ModelLoadException(String message) {
        super(message);
    }

    public ModelLoadException(String message, Throwable cause) {
        super(message, cause);
    }
}
