package dev.fledge.server.serving;

/** The server is at capacity; the client should retry later (429). */
public class OverloadedException extends RuntimeException {
    public OverloadedException(String message) {
        super(message);
    }
}
