package dev.fledge.server.metrics;

import java.util.Locale;

/** The {@code outcome} label of {@code fledge_model_requests_total}. Only ERROR is the server's fault. */
public enum Outcome {
    /** Answered. */
    SUCCESS,
    /** Answered with the refusal because the guard flagged the output (blocking mode). */
    BLOCKED,
    /** Refused: the request was malformed (4xx other than 429, other than {@link #MODEL_LIMIT}). */
    INVALID,
    /**
     * Refused: a well-formed request beyond the model's own limits (input width, max_tokens, kind of model). A
     * model's fault when the stable version serves it, so the built-in error rate counts it as an error.
     */
    MODEL_LIMIT,
    /** Refused: too many concurrent requests, load shed (429). The built-in error rate counts it as an error. */
    REJECTED,
    /** Failed on the server side (5xx, including injected faults). */
    ERROR;

    /**
     * Whether the model handled the request (success, blocked, error): only these enter the duration histogram.
     * Invalid, model-limit and rejected requests are refused before the model runs, in microseconds. (The built-in
     * error rate leaves out only {@code invalid}: anyone can send malformed requests.)
     */
    public boolean served() {
        return this == SUCCESS || this == BLOCKED || this == ERROR;
    }

    public String label() {
        return name().toLowerCase(Locale.ROOT);
    }
}
