package dev.fledge.cli;

/** A failure the user can act on; printed as one line ({@code error: ...}) with exit code 1. */
public class CliError extends RuntimeException {
    public CliError(String message) {
        super(message);
    }

    public CliError(String message, Throwable cause) {
        super(message, cause);
    }
}
